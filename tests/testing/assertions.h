// tests/testing/assertions.h — small helpers the tests share: an exception-message assertion and
// a guard that restores the thread count.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <string>

#include "gat/core/parallel.h"

namespace gat::testing {

/// Success when f() throws an E whose what() contains `needle`.
template <typename E, typename F>
::testing::AssertionResult throws_with(F&& f, const std::string& needle) {
  try {
    f();
  } catch (const E& e) {
    if (std::string(e.what()).find(needle) != std::string::npos)
      return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "message \"" << e.what() << "\" lacks \"" << needle << "\"";
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "wrong exception type: " << e.what();
  }
  return ::testing::AssertionFailure() << "nothing thrown";
}

/// Restores gat's thread count when the scope ends, whatever the test set it to.
class ThreadCountGuard {
 public:
  ThreadCountGuard() : saved_(num_threads()) {}
  ~ThreadCountGuard() { set_num_threads(saved_); }
  ThreadCountGuard(const ThreadCountGuard&) = delete;
  ThreadCountGuard& operator=(const ThreadCountGuard&) = delete;

 private:
  int saved_;
};

}  // namespace gat::testing

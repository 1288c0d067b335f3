// tests/testing/file_bytes.h — helpers the file-format tests (npy, safetensors) share: bytes of a
// little-endian integer, the bit patterns of a tensor, and the message of an expected exception.
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "gat/core/tensor.h"

namespace gat::testing {

/// The low `bytes` bytes of v, least significant first.
inline std::string le(uint64_t v, int bytes) {
  std::string s;
  for (int i = 0; i < bytes; ++i)
    s += static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

/// Each element's float32 bit pattern (so that NaN payloads and −0 compare exactly).
inline std::vector<uint32_t> bits(const Tensor& t) {
  std::vector<uint32_t> b;
  for (float f : t.to_vector())
    b.push_back(std::bit_cast<uint32_t>(f));
  return b;
}

/// what() of the E that fn() throws; a test failure (and "") when it throws nothing or another
/// type.
template <typename E, typename F>
std::string error_of(F&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "nothing thrown";
  return {};
}

inline void expect_contains(const std::string& what, const std::string& part) {
  EXPECT_NE(what.find(part), std::string::npos) << "'" << part << "' not in: " << what;
}

}  // namespace gat::testing

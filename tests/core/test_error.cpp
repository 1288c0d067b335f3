// Tests for gat/core/error.h: the exception hierarchy, check_arg / check_shape / check<E>, and
// the always-on GAT_ASSERT.
#include "gat/core/error.h"

#include <gtest/gtest.h>

#include <iostream>
#include <string>

namespace gat {
namespace {

// Runs f, which must throw E, and returns the message (empty, with a test failure, otherwise).
template <typename E, typename F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw the wrong type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "did not throw";
  return {};
}

TEST(Error, HierarchyLetsCallersCatchBroadly) {
  // ShapeError is an InvalidArgument; every type is a gat::Error and a std::runtime_error.
  EXPECT_THROW(throw ShapeError("s"), InvalidArgument);
  EXPECT_THROW(throw ShapeError("s"), Error);
  EXPECT_THROW(throw InvalidArgument("a"), Error);
  EXPECT_THROW(throw IoError("i"), Error);
  EXPECT_THROW(throw InternalError("x"), Error);
  EXPECT_THROW(throw InternalError("x"), std::runtime_error);
  // IoError and InternalError are not argument errors.
  EXPECT_EQ(message_of<IoError>([] { throw IoError("disk"); }), "disk");
  bool caught_as_invalid = false;
  try {
    throw IoError("disk");
  } catch (const InvalidArgument&) {
    caught_as_invalid = true;
  } catch (const Error&) {
  }
  EXPECT_FALSE(caught_as_invalid);
}

TEST(Error, CheckArgThrowsInvalidArgumentWithWhereAndMessage) {
  EXPECT_NO_THROW(check_arg(true, "f", "never shown"));
  std::string msg = message_of<InvalidArgument>(
      [] { check_arg(false, "make_thing", "n must be positive, got ", -3); });
  EXPECT_EQ(msg, "make_thing: n must be positive, got -3");
  // Not a ShapeError: callers that catch ShapeError must not see plain argument errors.
  bool was_shape_error = false;
  try {
    check_arg(false, "f", "x");
  } catch (const ShapeError&) {
    was_shape_error = true;
  } catch (const InvalidArgument&) {
  }
  EXPECT_FALSE(was_shape_error);
}

TEST(Error, CheckShapeThrowsShapeErrorWithWhereAndMessage) {
  EXPECT_NO_THROW(check_shape(true, "g", "never shown"));
  std::string msg = message_of<ShapeError>(
      [] { check_shape(false, "matmul", "inner sizes differ: ", 3, " vs ", 4); });
  EXPECT_EQ(msg, "matmul: inner sizes differ: 3 vs 4");
}

TEST(Error, CheckTemplateThrowsTheRequestedType) {
  std::string msg =
      message_of<IoError>([] { check<IoError>(false, "load", "cannot open ", "x.bin"); });
  EXPECT_EQ(msg, "load: cannot open x.bin");
  EXPECT_NO_THROW(check<IoError>(true, "load", "fine"));
}

TEST(Error, AssertThrowsInternalErrorWithFileAndLine) {
  int line = 0;
  std::string msg = message_of<InternalError>([&] {
    line = __LINE__ + 1;
    GAT_ASSERT(1 + 1 == 3, "arithmetic is ", "broken");
  });
  EXPECT_NE(msg.find("test_error.cpp:" + std::to_string(line)), std::string::npos) << msg;
  EXPECT_NE(msg.find("1 + 1 == 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("arithmetic is broken"), std::string::npos) << msg;
}

TEST(Error, AssertWithoutMessageAndPassingAssert) {
  EXPECT_NO_THROW(GAT_ASSERT(2 > 1));
  int line = 0;
  std::string msg = message_of<InternalError>([&] {
    line = __LINE__ + 1;
    GAT_ASSERT(false);
  });
  EXPECT_NE(msg.find("test_error.cpp:" + std::to_string(line)), std::string::npos) << msg;
  // With no message the text ends at the line number (no dangling ": ").
  EXPECT_EQ(msg.substr(msg.size() - std::to_string(line).size()), std::to_string(line)) << msg;
}

TEST(Error, AssertEvaluatesItsConditionOnce) {
  int calls = 0;
  GAT_ASSERT(++calls == 1);
  EXPECT_EQ(calls, 1);
}

TEST(Error, HeaderExample) {
  const int n = 0;
  ::testing::internal::CaptureStderr();
  try {
    gat::check_arg(n > 0, "make_thing", "n must be positive, got ", n);
  } catch (const gat::InvalidArgument& e) {
    std::cerr << e.what() << "\n";
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "make_thing: n must be positive, got 0\n");
}

}  // namespace
}  // namespace gat

// gat/core/error.h — the typed exceptions of gat.cpp and the always-on assertion.
//
// Bad user input is reported at the public boundary by throwing one of the types below, with a
// message that names the function, the argument and the offending value:
//
//   throw gat::InvalidArgument("Graph::from_edges: edge 17: source 9001 out of range for 2708 nodes");
//
// Internal invariants use GAT_ASSERT, which stays on in every build type (tests rely on it).
//
// Example (compiled in tests/core/test_error.cpp):
//
//   try {
//     gat::check_arg(n > 0, "make_thing", "n must be positive, got ", n);
//   } catch (const gat::InvalidArgument& e) {
//     std::cerr << e.what() << "\n";
//   }
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace gat {

/// Base of every exception gat.cpp throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A caller passed a value that is out of range, of the wrong shape, or otherwise unusable.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

/// Two tensors (or a tensor and a graph) disagree on a size.
class ShapeError : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// Reading or writing a file failed, or a file's content is malformed.
class IoError : public Error {
 public:
  using Error::Error;
};

/// An internal invariant did not hold: a bug in gat.cpp, never the caller's fault.
class InternalError : public Error {
 public:
  using Error::Error;
};

namespace detail {
template <typename... Args>
std::string concat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
[[noreturn]] void assert_fail(const char* expr, const char* file, int line, const std::string& msg);
}  // namespace detail

/// Throws E with the message "<where>: <args...>" when cond is false. The message is only built
/// on failure, but the arguments are evaluated before the call: keep them cheap and always valid.
template <typename E = InvalidArgument, typename... Args>
void check(bool cond, const char* where, const Args&... args) {
  if (!cond) throw E(detail::concat(where, ": ", args...));
}

/// check() specialised to InvalidArgument, the common case at API boundaries.
template <typename... Args>
void check_arg(bool cond, const char* where, const Args&... args) {
  check<InvalidArgument>(cond, where, args...);
}

/// check() specialised to ShapeError.
template <typename... Args>
void check_shape(bool cond, const char* where, const Args&... args) {
  check<ShapeError>(cond, where, args...);
}

}  // namespace gat

/// Always-on internal assertion; throws gat::InternalError with file and line.
#define GAT_ASSERT(cond, ...)                                                             \
  do {                                                                                    \
    if (!(cond)) ::gat::detail::assert_fail(#cond, __FILE__, __LINE__,                    \
                                            ::gat::detail::concat("" __VA_OPT__(, ) __VA_ARGS__)); \
  } while (0)

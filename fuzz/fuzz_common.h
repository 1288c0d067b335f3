// fuzz/fuzz_common.h — what the harnesses share: the input as a string_view, and the check that
// turns a broken promise of a reader into a crash libFuzzer keeps.
//
// Every harness catches `const gat::Error&` only: a typed error is the expected answer to a bad
// file. Anything else — another exception (std::bad_alloc, std::length_error, nlohmann's own),
// a sanitizer report, a failed FUZZ_CHECK — escapes and libFuzzer saves the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace gat::fuzz {

inline std::string_view bytes_of(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace gat::fuzz

/// A property the reader's header promises for what it returns; a violation aborts, which
/// libFuzzer reports as a crash with this message.
#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

// src/io/little_endian.h — little-endian byte access for the binary formats (internal to gat_io).
#pragma once

#include <cstdint>

namespace gat::io::little_endian {

/// The unsigned little-endian integer in p[0 .. bytes).
inline uint64_t load_le(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

/// Writes the low `bytes` bytes of v to p, little-endian.
inline void store_le(char* p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

}  // namespace gat::io::little_endian

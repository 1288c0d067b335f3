// gat/io/sha256.h — SHA-256 (FIPS 180-4, "Secure Hash Standard", section 6.2), used to check
// dataset files against pinned hashes (gat/data/datasets.h).
//
// Two ways in: the one-shot functions sha256_hex(bytes) and sha256_file(path), and the streaming
// class Sha256 (update() any number of times with pieces of any length, then digest()). Both
// give the lowercase hex string that `sha256sum` prints. The implementation is the standard's
// plain compression function on 64-byte blocks; it hashes about 200 MB/s, far more than the
// few megabytes of a Planetoid dataset need, so there is no SIMD or SHA-NI path.
//
// Example (compiled in tests/io/test_sha256.cpp):
//
//   gat::io::sha256_hex("abc");
//   // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
//   gat::io::Sha256 h;
//   h.update("ab");
//   h.update("c");
//   h.hex_digest();                               // the same string
//   gat::io::sha256_file(dir + "/ind.cora.x");        // "23cfa55d…", as sha256sum prints
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gat::io {

/// Incremental SHA-256. Feed bytes with update(); digest() pads, finishes and returns the hash,
/// after which the object must be reset() before it hashes another message.
class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;

  Sha256() { reset(); }

  /// Starts a new message (the standard's initial hash value H(0)).
  void reset();

  /// Appends n bytes. Throws gat::InvalidArgument after digest() without reset().
  void update(const void* data, size_t n);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }

  /// Finishes the message and returns its 32-byte hash. Throws gat::InvalidArgument when called
  /// twice without reset().
  Digest digest();

  /// digest() as 64 lowercase hex digits.
  std::string hex_digest();

 private:
  void compress(const uint8_t* block);

  std::array<uint32_t, 8> state_{};
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;  // bytes waiting in buffer_ (always < 64 between calls)
  uint64_t total_ = 0;   // message length in bytes so far
  bool finished_ = false;
};

/// Lowercase hex of 32 hash bytes.
std::string to_hex(const Sha256::Digest& digest);

/// SHA-256 of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

/// SHA-256 of a file's bytes as 64 lowercase hex digits, read in 64 KiB chunks. Throws
/// gat::IoError naming the file when it cannot be opened or read.
std::string sha256_file(const std::string& path);

}  // namespace gat::io

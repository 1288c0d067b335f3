// gat/io/sha256.h — SHA-256 of bytes and of files, used to check dataset files against pinned
// hashes (gat/data/datasets.h). OpenSSL's libcrypto computes it (its EVP digest interface); both
// functions return the 64 lowercase hex digits that `sha256sum` prints.
//
// Example (compiled in tests/io/test_sha256.cpp):
//
//   gat::io::sha256_hex("abc");
//   // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
//   gat::io::sha256_file(dir + "/ind.cora.x");        // "23cfa55d…", as sha256sum prints
#pragma once

#include <string>
#include <string_view>

namespace gat::io {

/// SHA-256 of `bytes` as 64 lowercase hex digits. Throws gat::IoError naming the libcrypto call
/// that failed.
std::string sha256_hex(std::string_view bytes);

/// SHA-256 of a file's bytes as 64 lowercase hex digits, read in 64 KiB chunks. Throws
/// gat::IoError naming the file when it cannot be opened or read, or the libcrypto call that
/// failed.
std::string sha256_file(const std::string& path);

}  // namespace gat::io

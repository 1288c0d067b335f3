#include "gat/io/sha256.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gat/core/error.h"
#include "testing/data_dir.h"

// Expected hashes: the SHA-256 examples of the standard (FIPS 180-2 appendix B: "abc", the
// 448-bit message, one million 'a'), the empty message, and, for the 896-bit message and the
// padding boundaries, Python's hashlib (an independent implementation).

namespace gat::io {
namespace {

TEST(Sha256, FipsTestVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // The 448-bit message: two blocks after padding, the length alone in the second.
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // The 896-bit message of the SHA-512 examples, hashed with SHA-256.
  EXPECT_EQ(
      sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklm"
                 "nopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Lengths around the padding boundaries: 55 bytes is the longest message whose padding fits
// in one block, 56 the shortest that needs a second; 64 and 120 are whole blocks plus padding.
TEST(Sha256, PaddingBoundaries) {
  const std::map<size_t, std::string> expected = {
      {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
      {57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"},
      {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
      {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
      {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
      {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
      {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
  };
  for (const auto& [n, hash] : expected)
    EXPECT_EQ(sha256_hex(std::string(n, 'a')), hash) << n;
}

TEST(Sha256, StreamingInOddChunksEqualsOneShot) {
  std::string msg(5000, '\0');
  uint32_t s = 12345;
  for (char& c : msg) {
    s = s * 1664525u + 1013904223u;
    c = char(s >> 24);
  }
  const std::string one_shot = sha256_hex(msg);
  for (size_t chunk : {1, 3, 7, 55, 56, 63, 64, 65, 127, 1000, 4999}) {
    Sha256 h;
    for (size_t pos = 0; pos < msg.size(); pos += chunk)
      h.update(std::string_view(msg).substr(pos, chunk));
    EXPECT_EQ(h.hex_digest(), one_shot) << "chunk " << chunk;
  }
  // Irregular chunk sizes, including empty updates.
  Sha256 h;
  size_t pos = 0;
  for (size_t k = 0; pos < msg.size(); ++k) {
    const size_t n = (k * 37) % 131;
    h.update(std::string_view(msg).substr(pos, n));
    pos += n;
  }
  EXPECT_EQ(h.hex_digest(), one_shot);
}

TEST(Sha256, DigestFinishesAndResetStartsOver) {
  Sha256 h;
  h.update("abc");
  const Sha256::Digest d = h.digest();
  EXPECT_EQ(to_hex(d), sha256_hex("abc"));
  EXPECT_THROW(h.update("x"), InvalidArgument);
  EXPECT_THROW(h.digest(), InvalidArgument);
  h.reset();
  h.update("");
  EXPECT_EQ(h.hex_digest(), sha256_hex(""));
}

TEST(Sha256, FileMissingIsIoErrorNamingIt) {
  try {
    sha256_file("/nonexistent/gat-sha256-test");
    FAIL() << "no exception";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/gat-sha256-test"), std::string::npos);
  }
}

// Every built-in Planetoid file hashes to the value data/planetoid/SHA256SUMS lists.
TEST(Sha256, RealPlanetoidFilesMatchSha256Sums) {
  const std::string dir = gat::testing::data_dir() + "/planetoid";
  std::ifstream sums(dir + "/SHA256SUMS");
  ASSERT_TRUE(sums) << dir << "/SHA256SUMS";
  std::string hash, path;
  int checked = 0;
  while (sums >> hash >> path) {
    EXPECT_EQ(sha256_file(dir + "/" + path), hash) << path;
    ++checked;
  }
  EXPECT_EQ(checked, 16);  // eight files each of Cora and CiteSeer
}

TEST(Sha256, HeaderExample) {
  const std::string dir = gat::testing::data_dir() + "/planetoid/cora";
  EXPECT_EQ(gat::io::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  gat::io::Sha256 h;
  h.update("ab");
  h.update("c");
  EXPECT_EQ(h.hex_digest(), gat::io::sha256_hex("abc"));
  EXPECT_EQ(gat::io::sha256_file(dir + "/ind.cora.x"),
            "23cfa55d91c6f624233f5eb7b6e3f141f1bd2b2ae39608a63cf5d084bb27baab");
}

}  // namespace
}  // namespace gat::io

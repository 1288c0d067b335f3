#include "gat/io/sha256.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <string>
#include <utility>

#include "gat/core/error.h"
#include "testing/assertions.h"
#include "testing/data_dir.h"
#include "testing/temp_dir.h"

// Expected hashes are what `sha256sum` prints for the same bytes.

namespace gat::io {
namespace {

using gat::testing::TempDir;
using gat::testing::throws_with;

// Every byte value 0..255, 1000 times: NULs included, and 256000 bytes are three whole 64 KiB
// chunks of sha256_file and a partial fourth.
std::string all_bytes() {
  std::string s;
  for (int r = 0; r < 1000; ++r)
    for (int b = 0; b < 256; ++b)
      s += char(b);
  return s;
}
constexpr const char* kAllBytesHash =
    "b57b64b198d5d59ce5a22a9b9f25e72a7d081476d432051aa923f3dbebb90934";
constexpr const char* kEmptyHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kAbcHash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kMillionAHash =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

TEST(Sha256, BytesMatchSha256sum) {
  EXPECT_EQ(sha256_hex(""), kEmptyHash);
  EXPECT_EQ(sha256_hex("abc"), kAbcHash);
  EXPECT_EQ(sha256_hex(all_bytes()), kAllBytesHash);  // the whole view, not up to the first NUL
}

TEST(Sha256, FilesMatchSha256sum) {
  TempDir dir{"gat_test_sha256"};
  const std::map<std::string, std::pair<std::string, const char*>> files = {
      {"empty", {"", kEmptyHash}},
      {"abc", {"abc", kAbcHash}},
      {"all_bytes", {all_bytes(), kAllBytesHash}},
      {"million_a", {std::string(1000000, 'a'), kMillionAHash}},  // 15 chunks and a partial one
  };
  for (const auto& [name, content] : files) {
    write_file(dir / name, content.first);
    EXPECT_EQ(sha256_file(dir / name), content.second) << name;
  }
}

TEST(Sha256, UnreadablePathsAreIoErrorsNamingThem) {
  TempDir dir{"gat_test_sha256"};
  const std::string missing = dir / "missing";
  EXPECT_TRUE(throws_with<IoError>([&] { sha256_file(missing); }, missing));
  EXPECT_TRUE(throws_with<IoError>([&] { sha256_file(dir.str()); }, dir.str()));
  write_file(dir / "plain", "abc");
  const std::string under_file = dir / "plain/child";  // ENOTDIR, even for root
  EXPECT_TRUE(throws_with<IoError>([&] { sha256_file(under_file); }, under_file));
  // Permission bits do not stop root, so this case runs only where they apply.
  const std::string locked = dir / "locked";
  write_file(locked, "abc");
  ASSERT_EQ(chmod(locked.c_str(), 0), 0);
  if (access(locked.c_str(), R_OK) != 0) {
    EXPECT_TRUE(throws_with<IoError>([&] { sha256_file(locked); }, locked));
  }
}

// A libcrypto failure is an IoError naming the call and the file. Default properties that no
// provider satisfies make libcrypto refuse to fetch SHA-256, so EVP_DigestInit_ex fails.
TEST(Sha256, LibcryptoFailureIsIoErrorNamingTheCall) {
  struct RestoreProperties {
    ~RestoreProperties() { EVP_set_default_properties(nullptr, ""); }
  } restore;
  ASSERT_EQ(EVP_set_default_properties(nullptr, "provider=gat-test-none"), 1);
  EXPECT_TRUE(throws_with<IoError>([] { sha256_hex("abc"); }, "EVP_DigestInit_ex failed"));
  TempDir dir{"gat_test_sha256"};
  write_file(dir / "abc", "abc");
  EXPECT_TRUE(throws_with<IoError>([&] { sha256_file(dir / "abc"); },
                                   "EVP_DigestInit_ex failed hashing " + dir / "abc"));
  ASSERT_EQ(EVP_set_default_properties(nullptr, ""), 1);
  EXPECT_EQ(sha256_hex("abc"), kAbcHash);  // nothing left behind in the error queue or cache
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
  EXPECT_EQ(gat::io::sha256_file(dir + "/ind.cora.x"),
            "23cfa55d91c6f624233f5eb7b6e3f141f1bd2b2ae39608a63cf5d084bb27baab");
}

}  // namespace
}  // namespace gat::io

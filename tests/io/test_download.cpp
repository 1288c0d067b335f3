#include "gat/io/download.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gat/core/error.h"
#include "gat/io/sha256.h"
#include "testing/data_dir.h"
#include "testing/http_server.h"
#include "testing/temp_dir.h"

// Every test talks only to gat::testing::HttpServer on 127.0.0.1, started inside the test.

namespace gat::io {
namespace {

using testing::TempDir;

namespace fs = std::filesystem;
using gat::testing::HttpServer;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The names in a directory: shows a temporary file left behind.
std::vector<std::string> listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A served directory with one 100 000-byte file of varied bytes.
struct Served {
  TempDir dir{"gat_test_download"};
  std::string body;
  Served() {
    body.resize(100000);
    for (size_t i = 0; i < body.size(); ++i)
      body[i] = char((i * 131 + i / 7) & 0xff);
    write_all(dir / "blob.bin", body);
  }
};

TEST(Download, FetchesFileAndLeavesNoTemporary) {
  Served served;
  HttpServer server({.mounts = {{"/files", served.dir.str()}}});
  TempDir out{"gat_test_download"};
  const DownloadResult r = download_file(server.url("/files/blob.bin"), out / "sub/blob.bin");
  EXPECT_EQ(r.bytes, 100000);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.effective_url, server.url("/files/blob.bin"));
  EXPECT_EQ(read_all(out / "sub/blob.bin"), served.body);
  EXPECT_EQ(listing(out / "sub"), std::vector<std::string>{"blob.bin"});
  EXPECT_EQ(server.requests(), 1);
}

TEST(Download, NotFoundIsIoErrorNamingUrlAndStatus) {
  Served served;
  HttpServer server({.mounts = {{"/files", served.dir.str()}}});
  TempDir out{"gat_test_download"};
  write_all(out / "blob.bin", "old");  // must survive a failed download untouched
  const std::string url = server.url("/files/missing.bin");
  try {
    download_file(url, out / "blob.bin");
    FAIL() << "no exception";
  } catch (const IoError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(url), std::string::npos) << msg;
    EXPECT_NE(msg.find("HTTP status 404"), std::string::npos) << msg;
  }
  EXPECT_EQ(read_all(out / "blob.bin"), "old");
  EXPECT_EQ(listing(out.str()), std::vector<std::string>{"blob.bin"});
}

TEST(Download, TruncatedBodyIsIoErrorAndNoFile) {
  Served served;
  HttpServer server({.mounts = {{"/files", served.dir.str()}}, .truncate_file = "blob.bin"});
  TempDir out{"gat_test_download"};
  const std::string url = server.url("/files/blob.bin");
  try {
    download_file(url, out / "blob.bin");
    FAIL() << "no exception";
  } catch (const IoError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(url), std::string::npos) << msg;
    EXPECT_NE(msg.find("curl error"), std::string::npos) << msg;  // CURLE_PARTIAL_FILE
  }
  EXPECT_TRUE(listing(out.str()).empty());
}

TEST(Download, FollowsRedirect) {
  Served served;
  HttpServer server({.mounts = {{"/files", served.dir.str()}},
                     .redirect_prefix = "/moved",
                     .redirect_target = "/files"});
  TempDir out{"gat_test_download"};
  const DownloadResult r = download_file(server.url("/moved/blob.bin"), out / "blob.bin");
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.effective_url, server.url("/files/blob.bin"));
  EXPECT_EQ(read_all(out / "blob.bin"), served.body);
  EXPECT_EQ(server.request_paths(),
            (std::vector<std::string>{"/moved/blob.bin", "/files/blob.bin"}));
}

TEST(Download, VerifySeesCompleteTemporaryAndCanReject) {
  Served served;
  HttpServer server({.mounts = {{"/files", served.dir.str()}}});
  TempDir out{"gat_test_download"};
  std::string seen_path, seen_bytes;
  const auto reject = [&](const std::string& tmp) {
    seen_path = tmp;
    seen_bytes = read_all(tmp);
    throw IoError("rejected by the test");
  };
  try {
    download_file(server.url("/files/blob.bin"), out / "blob.bin", {.verify = reject});
    FAIL() << "no exception";
  } catch (const IoError& e) {
    EXPECT_STREQ(e.what(), "rejected by the test");  // propagates unchanged
  }
  EXPECT_EQ(seen_bytes, served.body);
  EXPECT_EQ(fs::path(seen_path).parent_path(), fs::path(out.str()));  // beside the target
  EXPECT_NE(seen_path, out / "blob.bin");
  EXPECT_TRUE(listing(out.str()).empty());  // neither the target nor the temporary file

  bool accepted = false;
  download_file(server.url("/files/blob.bin"), out / "blob.bin",
                {.verify = [&](const std::string&) { accepted = true; }});
  EXPECT_TRUE(accepted);
  EXPECT_EQ(read_all(out / "blob.bin"), served.body);
}

TEST(Download, RefusedConnectionIsIoErrorWithCurlMessage) {
  int port = 0;
  {
    HttpServer server({});  // find a free port, then close it
    port = server.port();
  }
  TempDir out{"gat_test_download"};
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/x";
  try {
    download_file(url, out / "x");
    FAIL() << "no exception";
  } catch (const IoError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(url), std::string::npos) << msg;
    EXPECT_NE(msg.find("curl error 7"), std::string::npos) << msg;  // CURLE_COULDNT_CONNECT
  }
  EXPECT_TRUE(listing(out.str()).empty());
}

TEST(Download, RejectsEmptyArgumentsAndOtherProtocols) {
  TempDir out{"gat_test_download"};
  EXPECT_THROW(download_file("", out / "x"), InvalidArgument);
  EXPECT_THROW(download_file("http://127.0.0.1:1/x", ""), InvalidArgument);
  // file:// would read a local file; only http and https are allowed.
  EXPECT_THROW(download_file("file:///etc/hostname", out / "x"), IoError);
  EXPECT_TRUE(listing(out.str()).empty());
}

TEST(Download, HeaderExample) {
  HttpServer server({.mounts = {{"/data", gat::testing::data_dir() + "/planetoid/cora"}},
                     .redirect_prefix = "/kimiyoung/planetoid/raw/master/data",
                     .redirect_target = "/data"});
  TempDir cache_dir{"gat_test_download"};
  const std::string cache = cache_dir.str();
  const std::string expected = "23cfa55d91c6f624233f5eb7b6e3f141f1bd2b2ae39608a63cf5d084bb27baab";
  const std::string url = server.url("/kimiyoung/planetoid/raw/master/data/ind.cora.x");
  gat::io::DownloadResult r =
      gat::io::download_file(url, cache + "/ind.cora.x", {.verify = [&](const std::string& tmp) {
                               if (gat::io::sha256_file(tmp) != expected)
                                 throw gat::IoError("ind.cora.x: bad SHA-256");
                             }});
  EXPECT_EQ(r.bytes, 22119);
  EXPECT_EQ(r.effective_url, server.url("/data/ind.cora.x"));
}

}  // namespace
}  // namespace gat::io

#include "gat/data/datasets.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "gat/core/error.h"
#include "gat/data/planetoid.h"
#include "gat/io/sha256.h"
#include "testing/data_dir.h"
#include "testing/http_server.h"
#include "testing/temp_dir.h"

// Downloads go only to gat::testing::HttpServer on 127.0.0.1, started inside each test and
// serving the repository's data/. Every test runs with GAT_DATA_DIR unset unless it sets it itself,
// and with a fresh cache directory, so nothing depends on the machine's own cache.

namespace gat {
namespace {

using testing::TempDir;

namespace fs = std::filesystem;
using gat::io::sha256_file;
using gat::io::sha256_hex;
using gat::testing::HttpServer;

const char* const kParts[] = {"x", "y", "tx", "ty", "allx", "ally", "graph", "test.index"};

// Sets (or, with nullptr, unsets) an environment variable and restores it on destruction.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_.c_str(), old_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Flips the lowest bit of the byte in the middle of a file, as the test server's corrupt_file.
void flip_middle_byte(const std::string& path) {
  std::string bytes = read_all(path);
  bytes[bytes.size() / 2] ^= 0x01;
  fs::remove(path);  // the copy may be read-only, like its source
  std::ofstream(path, std::ios::binary) << bytes;
}

// Copies the dataset's eight files (all but `skip`) from `from` into `to`.
void copy_dataset(const std::string& from, const std::string& to, const std::string& name,
                  const std::string& skip = "") {
  fs::create_directories(to);
  for (const char* part : kParts) {
    if (skip == part) continue;
    const std::string file = "ind." + name + "." + part;
    fs::copy_file(from + "/" + file, to + "/" + file);
  }
}

// Every regular file under dir, recursively (shows what a failed download left behind).
std::vector<std::string> files_under(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path().string());
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The message of the gat::IoError that f throws ("" and a test failure if it throws none).
template <typename F>
std::string io_error_of(F&& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no gat::IoError thrown";
  return "";
}

class Datasets : public ::testing::Test {
 protected:
  const std::string data_ = gat::testing::data_dir();  // read before GAT_DATA_DIR is unset
  ScopedEnv no_data_dir_{"GAT_DATA_DIR", nullptr};
  TempDir cache_{"gat_test_datasets"};
};

class DatasetsDownload : public Datasets {
 protected:
  HttpServer server_{{.mounts = {{"/citeseer-files", data_ + "/planetoid/citeseer"}},
                      .redirect_prefix = "/moved",
                      .redirect_target = "/citeseer-files"}};
  DatasetSource source() const {
    return {.root = "",
            .allow_download = true,
            .url = server_.url("/citeseer-files"),
            .cache_dir = cache_.str(),
            .verbose = false,
            .use_builtin = false};
  }
  std::string cached() const { return cache_ / "planetoid/citeseer"; }
};

TEST_F(Datasets, PinnedHashesMatchSha256Sums) {
  std::ifstream sums(data_ + "/planetoid/SHA256SUMS");
  ASSERT_TRUE(sums);
  std::string hash, path;
  int checked = 0;
  while (sums >> hash >> path) {
    for (const char* name : {"cora", "citeseer"})
      for (const char* part : kParts)
        if (path == std::string(name) + "/ind." + name + "." + part) {
          EXPECT_EQ(planetoid_pinned_sha256(name, part), hash) << path;
          ++checked;
        }
  }
  EXPECT_EQ(checked, 16);
  EXPECT_EQ(planetoid_pinned_sha256("PubMed", "x"), "");  // nothing pinned yet
  EXPECT_THROW(planetoid_pinned_sha256("reddit", "x"), InvalidArgument);
  EXPECT_THROW(planetoid_pinned_sha256("cora", "z"), InvalidArgument);
}

TEST_F(Datasets, UnknownNameIsInvalidArgument) {
  EXPECT_THROW(find_planetoid("reddit", {.allow_download = false}), InvalidArgument);
}

TEST_F(Datasets, RootAcceptsEachLayout) {
  const DatasetSource base{.allow_download = false, .cache_dir = cache_.str(), .verbose = false};
  const std::string cora = data_ + "/planetoid/cora";
  auto with_root = [&](const std::string& root) {
    DatasetSource s = base;
    s.root = root;
    return s;
  };
  EXPECT_EQ(find_planetoid("cora", with_root(cora)), cora);                  // DIR/ind.cora.*
  EXPECT_EQ(find_planetoid("cora", with_root(data_ + "/planetoid")), cora);  // DIR/cora/
  EXPECT_EQ(find_planetoid("CiteSeer", with_root(data_)),                    // DIR/planetoid/
            data_ + "/planetoid/citeseer");
  TempDir pyg{"gat_test_datasets"};  // what PyG's Planetoid(root=DIR, name="Cora") leaves: DIR/Cora/raw/
  copy_dataset(cora, pyg / "Cora/raw", "cora");
  EXPECT_EQ(find_planetoid("cora", with_root(pyg.str())), pyg / "Cora/raw");
}

TEST_F(Datasets, RootWithoutFilesIsErrorWithoutFallback) {
  // Everything else would succeed: GAT_DATA_DIR holds Cora, and so does the built-in copy.
  ScopedEnv data_dir("GAT_DATA_DIR", data_.c_str());
  TempDir root{"gat_test_datasets"};
  const DatasetSource s{.root = root.str(), .allow_download = false, .cache_dir = cache_.str()};
  const std::string msg = io_error_of([&] { find_planetoid("cora", s); });
  for (const std::string& tried :
       {root.str(), root / "cora", root / "planetoid/cora", root / "Cora/raw"})
    EXPECT_TRUE(contains(msg, tried + ": ")) << tried << "\n" << msg;

  copy_dataset(data_ + "/planetoid/cora", root.str(), "cora", /*skip=*/"graph");
  const std::string partial = io_error_of([&] { find_planetoid("cora", s); });
  EXPECT_TRUE(contains(partial, root.str() + ": missing ind.cora.graph")) << partial;
}

TEST_F(Datasets, ModifiedFileUnderRootIsOnlyAWarning) {
  TempDir root{"gat_test_datasets"};
  copy_dataset(data_ + "/planetoid/cora", root.str(), "cora");
  flip_middle_byte(root / "ind.cora.test.index");
  ::testing::internal::CaptureStderr();
  const std::string dir =
      find_planetoid("cora", {.root = root.str(), .allow_download = false, .verbose = false});
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(dir, root.str());
  EXPECT_TRUE(contains(err, "warning")) << err;
  EXPECT_TRUE(contains(err, root / "ind.cora.test.index")) << err;
  EXPECT_TRUE(contains(err, planetoid_pinned_sha256("cora", "test.index"))) << err;
  EXPECT_TRUE(contains(err, sha256_file(root / "ind.cora.test.index"))) << err;
  EXPECT_FALSE(contains(err, "ind.cora.x")) << err;  // only the modified file is named
}

TEST_F(Datasets, RootWinsOverDataDir) {
  ScopedEnv data_dir("GAT_DATA_DIR", data_.c_str());
  TempDir root{"gat_test_datasets"};
  copy_dataset(data_ + "/planetoid/cora", root / "cora", "cora");
  EXPECT_EQ(find_planetoid("cora", {.root = root.str(), .allow_download = false}), root / "cora");
}

TEST_F(Datasets, DataDirVariable) {
  ScopedEnv data_dir("GAT_DATA_DIR", data_.c_str());
  const DatasetSource s{.allow_download = false, .cache_dir = cache_.str()};
  EXPECT_EQ(find_planetoid("citeseer", s), data_ + "/planetoid/citeseer");
  // Preferred to a verified copy in the cache.
  copy_dataset(data_ + "/planetoid/citeseer", cache_ / "planetoid/citeseer", "citeseer");
  EXPECT_EQ(find_planetoid("citeseer", s), data_ + "/planetoid/citeseer");
}

TEST_F(Datasets, DataDirWithoutTheDatasetFallsThrough) {
  ScopedEnv data_dir("GAT_DATA_DIR", data_.c_str());  // data/ has no PubMed
  const std::string msg = io_error_of(
      [&] { find_planetoid("pubmed", {.allow_download = false, .cache_dir = cache_.str()}); });
  EXPECT_TRUE(contains(msg, "GAT_DATA_DIR: " + data_ + "/planetoid/pubmed: no such directory"))
      << msg;
  EXPECT_TRUE(contains(msg, "cache: " + (cache_ / "planetoid/pubmed"))) << msg;
  EXPECT_TRUE(contains(msg, "only Cora and CiteSeer ship with gat")) << msg;
}

// The built-in copy: no --root, no GAT_DATA_DIR, an empty cache and no network.
TEST_F(Datasets, BuiltinCoraNeedsNoRootEnvOrNetwork) {
  const std::string dir =
      find_planetoid("cora", {.allow_download = false, .cache_dir = cache_.str()});
  EXPECT_TRUE(fs::equivalent(dir, GAT_TEST_SOURCE_DIR "/data/planetoid/cora")) << dir;
  for (const char* part : kParts)
    EXPECT_EQ(sha256_file(dir + "/ind.cora." + part), planetoid_pinned_sha256("cora", part));
  EXPECT_EQ(load_planetoid(dir, "cora").graph.num_nodes(), 2708);
  EXPECT_TRUE(files_under(cache_.str()).empty());  // nothing was written to the cache
}

TEST_F(Datasets, BuiltinCiteSeerNeedsNoRootEnvOrNetwork) {
  const std::string dir =
      find_planetoid("CiteSeer", {.allow_download = false, .cache_dir = cache_.str()});
  EXPECT_TRUE(fs::equivalent(dir, GAT_TEST_SOURCE_DIR "/data/planetoid/citeseer")) << dir;
  for (const char* part : kParts)
    EXPECT_EQ(sha256_file(dir + "/ind.citeseer." + part),
              planetoid_pinned_sha256("citeseer", part));
  const NodeTask citeseer = load_planetoid(dir, "citeseer");
  EXPECT_EQ(citeseer.graph.num_nodes(), 3327);
  EXPECT_EQ(citeseer.graph.num_edges(), 9104);
  EXPECT_TRUE(files_under(cache_.str()).empty());
}

// Without the built-in copy and without a download, nothing is found, and the error says why.
TEST_F(Datasets, BuiltinCanBeTurnedOff) {
  const std::string msg = io_error_of([&] {
    find_planetoid("cora",
                   {.allow_download = false, .cache_dir = cache_.str(), .use_builtin = false});
  });
  EXPECT_TRUE(contains(msg, "built-in copy: not used (use_builtin = false)")) << msg;
  EXPECT_TRUE(contains(msg, "download: not allowed")) << msg;
}

TEST_F(Datasets, VerifiedCacheComesBeforeBuiltinAndCorruptCacheIsSkipped) {
  const std::string cached = cache_ / "planetoid/cora";
  copy_dataset(data_ + "/planetoid/cora", cached, "cora");
  const DatasetSource s{.allow_download = false, .cache_dir = cache_.str()};
  EXPECT_EQ(find_planetoid("cora", s), cached);

  flip_middle_byte(cached + "/ind.cora.allx");
  ::testing::internal::CaptureStderr();
  const std::string dir = find_planetoid("cora", s);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(dir, cached);  // the built-in copy instead
  EXPECT_TRUE(contains(err, "corrupt")) << err;
  EXPECT_TRUE(contains(err, cached + "/ind.cora.allx")) << err;
}

TEST_F(Datasets, CacheDirFromArgumentThenEnvironment) {
  ScopedEnv gat_cache("GAT_CACHE_DIR", "/g");
  ScopedEnv xdg("XDG_CACHE_HOME", "/x");
  ScopedEnv home("HOME", "/h");
  EXPECT_EQ(dataset_cache_dir({.cache_dir = "/arg"}), "/arg");
  EXPECT_EQ(dataset_cache_dir({}), "/g");
  {
    ScopedEnv unset("GAT_CACHE_DIR", nullptr);
    EXPECT_EQ(dataset_cache_dir({}), "/x/gat");
    ScopedEnv unset_xdg("XDG_CACHE_HOME", nullptr);
    EXPECT_EQ(dataset_cache_dir({}), "/h/.cache/gat");
    ScopedEnv unset_home("HOME", nullptr);
    EXPECT_EQ(dataset_cache_dir({}), "");
  }
}

TEST_F(DatasetsDownload, DownloadsVerifiesThenUsesCache) {
  DatasetSource s = source();
  s.verbose = true;
  ::testing::internal::CaptureStderr();
  const std::string dir = find_planetoid("citeseer", s);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(dir, cached());
  EXPECT_EQ(server_.requests(), 8);
  EXPECT_TRUE(contains(err, "gat: downloading ind.citeseer.x (30 KB) from " +
                                server_.url("/citeseer-files/ind.citeseer.x") + "\n"))
      << err;
  for (const char* part : kParts)
    EXPECT_EQ(sha256_file(dir + "/ind.citeseer." + part),
              planetoid_pinned_sha256("citeseer", part));
  EXPECT_EQ(files_under(cache_.str()).size(), 8u);  // no temporary or staging files left
  EXPECT_EQ(load_planetoid(dir, "citeseer").graph.num_nodes(), 3327);

  EXPECT_EQ(find_planetoid("citeseer", source()), cached());
  EXPECT_EQ(server_.requests(), 8);  // the second call used the cache
}

TEST_F(DatasetsDownload, CorruptByteIsErrorNamingFileAndBothHashesAndLeavesNothing) {
  HttpServer server({.mounts = {{"/citeseer-files", data_ + "/planetoid/citeseer"}},
                     .corrupt_file = "ind.citeseer.tx"});
  std::string corrupted = read_all(data_ + "/planetoid/citeseer/ind.citeseer.tx");
  corrupted[corrupted.size() / 2] ^= 0x01;
  DatasetSource s = source();
  s.url = server.url("/citeseer-files");
  const std::string msg = io_error_of([&] { find_planetoid("citeseer", s); });
  EXPECT_TRUE(contains(msg, "ind.citeseer.tx")) << msg;
  EXPECT_TRUE(contains(msg, planetoid_pinned_sha256("citeseer", "tx"))) << msg;
  EXPECT_TRUE(contains(msg, sha256_hex(corrupted))) << msg;
  EXPECT_TRUE(files_under(cache_.str()).empty());
}

TEST_F(DatasetsDownload, NotFoundIsErrorNamingUrlAndStatusAndLeavesNothing) {
  TempDir partial{"gat_test_datasets"};  // seven of the eight files: the last one requested is missing
  copy_dataset(data_ + "/planetoid/citeseer", partial.str(), "citeseer", "test.index");
  HttpServer server({.mounts = {{"/partial", partial.str()}}});
  DatasetSource s = source();
  s.url = server.url("/partial/");  // a trailing slash is fine
  const std::string msg = io_error_of([&] { find_planetoid("citeseer", s); });
  EXPECT_TRUE(contains(msg, server.url("/partial/ind.citeseer.test.index"))) << msg;
  EXPECT_TRUE(contains(msg, "HTTP status 404")) << msg;
  EXPECT_EQ(server.requests(), 8);
  EXPECT_TRUE(files_under(cache_.str()).empty());  // the seven good files were not kept
}

TEST_F(DatasetsDownload, TruncatedBodyIsError) {
  HttpServer server({.mounts = {{"/citeseer-files", data_ + "/planetoid/citeseer"}},
                     .truncate_file = "ind.citeseer.graph"});
  DatasetSource s = source();
  s.url = server.url("/citeseer-files");
  const std::string msg = io_error_of([&] { find_planetoid("citeseer", s); });
  EXPECT_TRUE(contains(msg, server.url("/citeseer-files/ind.citeseer.graph"))) << msg;
  EXPECT_TRUE(files_under(cache_.str()).empty());
}

TEST_F(DatasetsDownload, FollowsRedirect) {
  DatasetSource s = source();
  s.url = server_.url("/moved");
  EXPECT_EQ(find_planetoid("citeseer", s), cached());
  EXPECT_EQ(server_.requests(), 16);  // a 302 and the file, for each of the eight
  EXPECT_EQ(server_.request_paths().front(), "/moved/ind.citeseer.x");
}

TEST_F(DatasetsDownload, NothingFoundWithoutDownloadTellsHowToFix) {
  DatasetSource s = source();
  s.allow_download = false;
  const std::string msg = io_error_of([&] { find_planetoid("citeseer", s); });
  EXPECT_TRUE(contains(msg, "--root")) << msg;
  EXPECT_TRUE(contains(msg, "GAT_DATA_DIR")) << msg;
  EXPECT_TRUE(contains(msg, "download: not allowed")) << msg;
  EXPECT_EQ(server_.requests(), 0);
}

TEST_F(DatasetsDownload, CorruptCacheFileIsReportedThenDownloadedAgain) {
  ASSERT_EQ(find_planetoid("citeseer", source()), cached());
  const std::string bad = cached() + "/ind.citeseer.ally";
  flip_middle_byte(bad);

  DatasetSource offline = source();
  offline.allow_download = false;
  ::testing::internal::CaptureStderr();
  const std::string msg = io_error_of([&] { find_planetoid("citeseer", offline); });
  ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(contains(msg, "corrupt")) << msg;
  EXPECT_TRUE(contains(msg, bad + ": SHA-256 " + sha256_file(bad))) << msg;

  ::testing::internal::CaptureStderr();
  EXPECT_EQ(find_planetoid("citeseer", source()), cached());
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(contains(err, "corrupt files in the cache")) << err;
  EXPECT_EQ(server_.requests(), 16);
  EXPECT_EQ(sha256_file(bad), planetoid_pinned_sha256("citeseer", "ally"));
}

TEST_F(Datasets, HeaderExample) {
  ScopedEnv cache_env("GAT_CACHE_DIR", cache_.str().c_str());
  const std::string root;  // no --root given
  std::string dir = gat::find_planetoid("cora", {.root = root, .allow_download = false});
  gat::NodeTask cora = gat::load_planetoid(dir, "cora");
  EXPECT_EQ(cora.graph.num_nodes(), 2708);
}

}  // namespace
}  // namespace gat

// find_planetoid: the five sources of gat/data/datasets.h, tried in order, with the checksum
// policy described there.
#include "gat/data/datasets.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string_view>
#include <system_error>
#include <vector>

#include "gat/core/error.h"
#include "gat/io/download.h"
#include "gat/io/sha256.h"

namespace gat {
namespace {

namespace fs = std::filesystem;
using io::download_file;
using io::DownloadOptions;
using io::DownloadResult;
using io::sha256_file;

// The eight files of a Planetoid dataset, in PyG's order.
constexpr std::array<const char*, 8> kParts = {"x",    "y",    "tx",    "ty",
                                               "allx", "ally", "graph", "test.index"};

struct PinnedFile {
  const char* part;
  int64_t bytes;       // for the progress line only; the hash is what is checked
  const char* sha256;  // lowercase hex
};

struct PinnedDataset {
  const char* name;
  std::array<PinnedFile, 8> files;  // in kParts order
};

// The published files (kimiyoung/planetoid, data/; the same hashes as data/planetoid/SHA256SUMS,
// which a test checks against this table). PubMed has no row: its files were never available
// offline. To pin it, add a row like these — the warning
// printed after a PubMed download shows the row for the files it received.
constexpr PinnedDataset kPinned[] = {
    {"cora",
     {{{"x", 22119, "23cfa55d91c6f624233f5eb7b6e3f141f1bd2b2ae39608a63cf5d084bb27baab"},
       {"y", 4054, "94465c14eb53e04ca262198dcbb2521ee8af60fb3f3d546cd6ca24a511b0e7d1"},
       {"tx", 148025, "b9afbaa4a400df991f6f02ef677e1e44da55ffc04801fd02f9e673987829226a"},
       {"ty", 28135, "41f5ac76596a1699cc33f53084a2419e92961c42bb75f36fc38e616d348532ad"},
       {"allx", 257305, "9419ba2f26f5c35243db64aba110e0f35a04851609e0dc5433450676ca6b8543"},
       {"ally", 47959, "2b998f5cc7fedc86e7f97ca2498f47a1ffc1462c29e2d578b23bf3f62b6e7d71"},
       {"graph", 59847, "58f13302f39dde8852dad6fe6d15b89b077b6d7f837626bce671ef80344b383d"},
       {"test.index", 5000, "297ce89af2b51a6a194181c7dbe1796c6a1cf9cd9349a88383b1b1e227867875"}}}},
    {"citeseer",
     {{{"x", 31087, "d20de19150741e555de0ed037195630fc194114ebc7fd72ced62810148aa22f6"},
       {"y", 3014, "8ba87e515d8e3ee3cf52f6d2c5b86aa73f11ecad825a808455209ec26cd54924"},
       {"tx", 260321, "539a8906a2da97628d212f2fdd668c109a8b3f0d36574b59e5d3fd5b5303da21"},
       {"ty", 24135, "55e5bd1ba1e733a04598753ad1a8d57957f4b8f89e74519f41f4f4938767e4ce"},
       {"allx", 595021, "2ac30345d95c9ec933a817ee0bdd6a5f077f8c184a20e696910192d534414668"},
       {"ally", 55623, "f704b2d986dde6c2669934de1f3ae5696a6cf9455c0f6b2646a2d135ea0a1c95"},
       {"graph", 61987, "d79a4ef9d3e7169aee8946145f6b7306e35bc79bffad26346cfb94e10e9912a7"},
       {"test.index", 5000, "2af990671580b6b2df5d158d1038f8292e30c9cd821b5453f399659b25b723d4"}}}},
};

// Each row lists its files in kParts order (download_dataset indexes both alike), with full hashes.
constexpr bool pins_well_formed() {
  for (const PinnedDataset& d : kPinned)
    for (size_t i = 0; i < kParts.size(); ++i)
      if (std::string_view(d.files[i].part) != kParts[i] ||
          std::string_view(d.files[i].sha256).size() != 64)
        return false;
  return true;
}
static_assert(pins_well_formed(), "kPinned: parts out of order or a hash not 64 hex digits");

const PinnedDataset* pinned(const std::string& name) {
  for (const PinnedDataset& d : kPinned)
    if (name == d.name) return &d;
  return nullptr;
}

// cora / citeseer / pubmed from any spelling; anything else is the caller's mistake.
std::string canonical_name(const std::string& name, const char* where) {
  std::string lower = name;
  for (char& c : lower)
    c = char(std::tolower(static_cast<unsigned char>(c)));
  check_arg(lower == "cora" || lower == "citeseer" || lower == "pubmed", where,
            "unknown Planetoid dataset '", name, "' (expected cora, citeseer or pubmed)");
  return lower;
}

const char* pyg_name(const std::string& name) {
  return name == "cora" ? "Cora" : name == "citeseer" ? "CiteSeer" : "PubMed";
}

std::string file_name(const std::string& name, const char* part) {
  return detail::concat("ind.", name, ".", part);
}

std::string env(const char* var) {
  const char* v = std::getenv(var);
  return v ? std::string(v) : std::string();
}

// The files of the dataset missing from dir ("" when dir holds all eight).
std::string missing_files(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return "no such directory";
  std::string missing;
  for (const char* part : kParts)
    if (!fs::is_regular_file(dir / file_name(name, part), ec))
      missing += (missing.empty() ? "missing " : ", ") + file_name(name, part);
  return missing;
}

// Checks dir's files against the pinned hashes; one line per mismatch (none when unpinned).
std::vector<std::string> checksum_mismatches(const fs::path& dir, const std::string& name) {
  std::vector<std::string> bad;
  const PinnedDataset* pin = pinned(name);
  if (!pin) return bad;
  for (const PinnedFile& f : pin->files) {
    const fs::path path = dir / file_name(name, f.part);
    const std::string actual = sha256_file(path.string());
    if (actual != f.sha256)
      bad.push_back(detail::concat(path.string(), ": SHA-256 ", actual, ", expected ", f.sha256));
  }
  return bad;
}

std::string join_lines(const std::vector<std::string>& lines, const char* indent) {
  std::string out;
  for (const std::string& l : lines)
    out += detail::concat("\n", indent, l);
  return out;
}

std::string human_size(int64_t bytes) {
  if (bytes < 1024) return detail::concat(bytes, " B");
  if (bytes < 1024 * 1024) return detail::concat((bytes + 512) / 1024, " KB");
  std::ostringstream os;
  os.precision(1);
  os << std::fixed << double(bytes) / (1024.0 * 1024.0) << " MB";
  return os.str();
}

// A directory found through --root or GAT_DATA_DIR: the user's own files, so a checksum
// mismatch is reported but not fatal.
void warn_if_modified(const fs::path& dir, const std::string& name, const char* how) {
  const std::vector<std::string> bad = checksum_mismatches(dir, name);
  if (bad.empty()) return;
  std::cerr << "gat: warning: files found through " << how
            << " differ from the published Planetoid files; using them anyway:"
            << join_lines(bad, "  ") << "\n";
}

// The datasets that ship with gat (data/planetoid/<name> in the repository).
bool is_builtin(const std::string& name) { return name == "cora" || name == "citeseer"; }

// A built-in dataset's directory: the source tree's data/ (recorded by CMake), else the install
// tree's share/gat.
std::optional<fs::path> builtin_dir(const std::string& name, std::vector<std::string>& looked) {
  std::vector<fs::path> candidates;
#ifdef GAT_BUILTIN_DATA_DIR
  candidates.push_back(fs::path(GAT_BUILTIN_DATA_DIR) / "planetoid" / name);
#endif
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (!ec)
    candidates.push_back(
        (exe.parent_path() / ".." / "share" / "gat" / "planetoid" / name).lexically_normal());
  for (const fs::path& c : candidates) {
    if (fs::is_directory(c, ec)) return c;
    looked.push_back(c.string());
  }
  return std::nullopt;
}

// Removes a directory tree when it goes out of scope (the staging directory of a download).
class RemoveOnExit {
 public:
  explicit RemoveOnExit(fs::path dir) : dir_(std::move(dir)) {}
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;
  ~RemoveOnExit() {
    std::error_code ec;
    fs::remove_all(dir_, ec);  // best effort
  }

 private:
  fs::path dir_;
};

// Downloads the eight files into a staging directory beside the final one, checks each against
// its pinned hash, and moves them into `dest` only when all eight passed. Throws gat::IoError.
void download_dataset(const std::string& name, const std::string& base_url, const fs::path& dest,
                      bool verbose) {
  static std::atomic<uint64_t> counter{0};
  const fs::path staging =
      dest.parent_path() / detail::concat(".", name, ".partial-", ::getpid(), "-", counter++);
  std::error_code ec;
  fs::create_directories(staging, ec);
  if (ec)
    throw IoError(
        detail::concat("cannot create the cache directory ", staging.string(), ": ", ec.message()));
  RemoveOnExit cleanup(staging);

  const PinnedDataset* pin = pinned(name);
  std::vector<std::string> received;  // "{"x", bytes, "hash"}," rows, for unpinned datasets
  for (size_t i = 0; i < kParts.size(); ++i) {
    const std::string file = file_name(name, kParts[i]);
    const std::string url = detail::concat(base_url, "/", file);
    if (verbose) {
      const std::string size =
          pin ? detail::concat(" (", human_size(pin->files[i].bytes), ")") : std::string();
      std::cerr << "gat: downloading " << file << size << " from " << url << "\n";
    }
    std::string actual;
    DownloadOptions options;
    options.verify = [&](const std::string& tmp) {
      actual = sha256_file(tmp);
      if (pin && actual != pin->files[i].sha256)
        throw IoError(detail::concat(file, " downloaded from ", url, " has SHA-256 ", actual,
                                     ", expected ", pin->files[i].sha256,
                                     "; the file was deleted"));
    };
    const DownloadResult r = download_file(url, (staging / file).string(), options);
    received.push_back(detail::concat("{\"", kParts[i], "\", ", r.bytes, ", \"", actual, "\"},"));
  }

  fs::create_directories(dest, ec);
  if (ec)
    throw IoError(
        detail::concat("cannot create the cache directory ", dest.string(), ": ", ec.message()));
  for (const char* part : kParts) {
    const std::string file = file_name(name, part);
    fs::rename(staging / file, dest / file, ec);  // atomic per file; replaces a corrupt one
    if (ec)
      throw IoError(detail::concat("cannot move ", (staging / file).string(), " to ",
                                   (dest / file).string(), ": ", ec.message()));
  }
  if (!pin)
    std::cerr << "gat: warning: gat pins no SHA-256 for " << name
              << ", so the downloaded files are checked only by the loader's structural checks."
              << " To pin the files received, add this row to kPinned in"
              << " src/data/datasets.cpp:\n  {\"" << name << "\", {{"
              << join_lines(received, "    ") << "\n  }}},\n";
}

}  // namespace

std::string dataset_cache_dir(const DatasetSource& source) {
  if (!source.cache_dir.empty()) return source.cache_dir;
  if (std::string v = env("GAT_CACHE_DIR"); !v.empty()) return v;
  if (std::string v = env("XDG_CACHE_HOME"); !v.empty()) return (fs::path(v) / "gat").string();
  if (std::string v = env("HOME"); !v.empty()) return (fs::path(v) / ".cache" / "gat").string();
  return {};
}

std::string planetoid_pinned_sha256(const std::string& name, const std::string& part) {
  const std::string n = canonical_name(name, "planetoid_pinned_sha256");
  const auto it =
      std::find_if(kParts.begin(), kParts.end(), [&](const char* p) { return part == p; });
  check_arg(it != kParts.end(), "planetoid_pinned_sha256", "unknown part '", part,
            "' (expected x, y, tx, ty, allx, ally, graph or test.index)");
  const PinnedDataset* pin = pinned(n);
  return pin ? pin->files[size_t(it - kParts.begin())].sha256 : "";
}

std::string find_planetoid(const std::string& name_arg, const DatasetSource& source) {
  const std::string name = canonical_name(name_arg, "find_planetoid");
  const std::string where = detail::concat("find_planetoid(\"", name, "\")");
  const std::string files = detail::concat("ind.", name, ".*");

  // 1. --root: an explicit choice, so it is used or it is an error; never a fallback.
  if (!source.root.empty()) {
    const fs::path root(source.root);
    const fs::path candidates[] = {root, root / name, root / "planetoid" / name,
                                   root / pyg_name(name) / "raw"};
    std::vector<std::string> tried;
    for (const fs::path& dir : candidates) {
      const std::string missing = missing_files(dir, name);
      if (missing.empty()) {
        warn_if_modified(dir, name, "--root");
        return dir.string();
      }
      tried.push_back(detail::concat(dir.string(), ": ", missing));
    }
    throw IoError(detail::concat(where, ": --root ", source.root, " does not hold the ", files,
                                 " files; looked in:", join_lines(tried, "  "),
                                 "\nPass a directory that holds the eight files (or one of these"
                                 " layouts), or leave --root out to use GAT_DATA_DIR, the cache,"
                                 " or a download."));
  }

  std::vector<std::string> tried;
  // 2. GAT_DATA_DIR, holding planetoid/<name>/ (the layout of the repository's data/).
  if (const std::string data_dir = env("GAT_DATA_DIR"); !data_dir.empty()) {
    const fs::path dir = fs::path(data_dir) / "planetoid" / name;
    const std::string missing = missing_files(dir, name);
    if (missing.empty()) {
      warn_if_modified(dir, name, "GAT_DATA_DIR");
      return dir.string();
    }
    tried.push_back(detail::concat("GAT_DATA_DIR: ", dir.string(), ": ", missing));
  } else {
    tried.push_back("GAT_DATA_DIR: not set");
  }

  // 3. The cache, if complete and intact.
  const std::string cache = dataset_cache_dir(source);
  const fs::path cache_dir = cache.empty() ? fs::path() : fs::path(cache) / "planetoid" / name;
  if (cache.empty()) {
    tried.push_back("cache: none (GAT_CACHE_DIR, XDG_CACHE_HOME and HOME are all unset)");
  } else if (const std::string missing = missing_files(cache_dir, name); !missing.empty()) {
    tried.push_back(detail::concat("cache: ", cache_dir.string(), ": ", missing));
  } else if (const auto bad = checksum_mismatches(cache_dir, name); !bad.empty()) {
    std::cerr << "gat: warning: corrupt files in the cache; not using it:" << join_lines(bad, "  ")
              << "\n";
    tried.push_back(
        detail::concat("cache: ", cache_dir.string(), ": corrupt:", join_lines(bad, "    ")));
  } else {
    return cache_dir.string();
  }

  // 4. The built-in copy, always checked: a mismatch means the repository copy is corrupt.
  if (!is_builtin(name)) {
    tried.push_back("built-in copy: only Cora and CiteSeer ship with gat");
  } else if (!source.use_builtin) {
    tried.push_back("built-in copy: not used (use_builtin = false)");
  } else {
    std::vector<std::string> looked;
    if (const std::optional<fs::path> dir = builtin_dir(name, looked)) {
      const std::string missing = missing_files(*dir, name);
      if (!missing.empty())
        throw IoError(detail::concat(where, ": the built-in copy in ", dir->string(),
                                     " is incomplete: ", missing));
      if (const auto bad = checksum_mismatches(*dir, name); !bad.empty())
        throw IoError(detail::concat(
            where, ": the built-in copy in ", dir->string(), " is corrupt:", join_lines(bad, "  "),
            "\nRestore it (git checkout data/planetoid/", name, ") or reinstall gat."));
      return dir->string();
    }
    tried.push_back(
        detail::concat("built-in copy: not found (looked in", join_lines(looked, "    "), ")"));
  }

  const std::string url = source.url.empty() ? std::string(kPlanetoidUrl) : source.url;
  const std::string fix = detail::concat(
      "To fix: pass --root DIR with DIR holding ", files, " (or DIR/", name, "/, DIR/planetoid/",
      name, "/); or set GAT_DATA_DIR to a directory holding planetoid/", name, "/; or ",
      source.allow_download ? "check that " + url + " can be reached"
                            : "allow the download (it needs network access to " + url + ")",
      ".");

  // 5. Download into the cache.
  if (!source.allow_download) {
    tried.push_back("download: not allowed (allow_download = false)");
  } else if (cache.empty()) {
    tried.push_back("download: no cache directory to download into (set GAT_CACHE_DIR)");
  } else {
    std::string base = url;
    while (!base.empty() && base.back() == '/')
      base.pop_back();
    try {
      download_dataset(name, base, cache_dir, source.verbose);
      return cache_dir.string();
    } catch (const IoError& e) {
      throw IoError(detail::concat(where, ": download failed: ", e.what(),
                                   "\nAlso tried:", join_lines(tried, "  "), "\n", fix));
    }
  }
  throw IoError(detail::concat(where, ": the ", files, " files were not found. Tried, in order:",
                               join_lines(tried, "  "), "\n", fix));
}

}  // namespace gat

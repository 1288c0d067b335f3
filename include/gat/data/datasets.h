// gat/data/datasets.h — where the Planetoid files come from: a dataset name in, the directory
// holding its eight ind.<name>.* files out (then gat/data/planetoid.h loads them).
//
// find_planetoid(name, source) looks, in this order, and returns the first directory that
// holds all eight files ind.<name>.{x,y,tx,ty,allx,ally,graph,test.index}:
//
//  1. source.root (the CLI's --root DIR), when given, in four layouts:
//       DIR/ind.<name>.*                 the files themselves
//       DIR/<name>/ind.<name>.*          like the repository's data/planetoid
//       DIR/planetoid/<name>/            like the repository's data
//       DIR/<PyGName>/raw/               what PyG's Planetoid(root=DIR, name) leaves behind
//     A root that holds none of them is an error naming every path tried: an explicit root never
//     falls back to another source, so a typo cannot silently train on other data.
//  2. $GAT_DATA_DIR/planetoid/<name>/ — the project's own variable, for a directory laid out
//     like the repository's data/. Being ambient, it does fall through when the dataset is not
//     there (a directory that holds Cora and CiteSeer but not PubMed, say).
//  3. the cache, <cache>/planetoid/<name>/, if all eight files are there and pass the checksum
//     check. <cache> is source.cache_dir, else $GAT_CACHE_DIR, else $XDG_CACHE_HOME/gat, else
//     $HOME/.cache/gat (dataset_cache_dir()).
//  4. the built-in copy, Cora and CiteSeer (unless source.use_builtin is false): the repository's
//     data/planetoid/<name> (the path CMake records as GAT_BUILTIN_DATA_DIR), else
//     <dir of the executable>/../share/gat/planetoid/<name> (where `cmake --install` puts it).
//     It needs neither a dataset directory nor a network.
//  5. a download into the cache, when source.allow_download: each file from
//     <source.url>/ind.<name>.<part> (default: PyG's location, kPlanetoidUrl) into a staging
//     directory inside the cache, checked, and moved into <cache>/planetoid/<name>/ only when
//     all eight arrived and passed. A failure leaves no file behind. With source.verbose, one
//     line per file goes to stderr: "gat: downloading ind.cora.x (22 KB) from https://…".
// If none succeeds, gat::IoError lists what was tried and how to fix it (--root, GAT_DATA_DIR,
// network access).
//
// Checksum policy. The SHA-256 of the sixteen Cora and CiteSeer files are pinned in
// src/data/datasets.cpp (the same list as data/planetoid/SHA256SUMS; they are the files PyG
// downloads).
//  * downloads and the cache: a mismatch is an error naming the file and both hashes; a bad
//    download is deleted, a bad cache file is reported and downloaded again (if allowed).
//  * the built-in copies: always checked; a mismatch is an error (the repository copy is
//    corrupt).
//  * --root and GAT_DATA_DIR: checked, but a mismatch is only a warning on stderr. Those are the
//    user's own files (perhaps deliberately edited); the loader still checks their structure.
//  * PubMed: no hashes are pinned (its files were never available offline). Downloaded PubMed
//    files are checked structurally only, by the loader; gat prints a warning with their
//    SHA-256 so that a user can pin them. Pinning is one row of the table in datasets.cpp.
// Warnings go to stderr whatever source.verbose says; verbose only silences progress lines.
//
// Example (compiled in tests/data/test_datasets.cpp):
//
//   // root: gat train's --root DIR, or empty (then GAT_DATA_DIR, the cache, the built-in copy).
//   std::string dir = gat::find_planetoid("cora", {.root = root, .allow_download = false});
//   gat::NodeTask cora = gat::load_planetoid(dir, "cora");
//   cora.graph.num_nodes();   // 2708
#pragma once

#include <string>

namespace gat {

/// Where PyG's Planetoid dataset downloads its raw files (torch_geometric.datasets.Planetoid).
inline constexpr const char* kPlanetoidUrl =
    "https://github.com/kimiyoung/planetoid/raw/master/data";

struct DatasetSource {
  /// --root: a directory holding the files (four layouts above). Empty: not given.
  std::string root{};
  /// May the files be downloaded into the cache when no local copy is found?
  bool allow_download = true;
  /// Base URL of the files; empty means kPlanetoidUrl.
  std::string url{};
  /// Cache directory; empty means $GAT_CACHE_DIR, else $XDG_CACHE_HOME/gat, else $HOME/.cache/gat.
  std::string cache_dir{};
  /// Print a progress line per downloaded file to stderr.
  bool verbose = true;
  /// May the built-in copy (Cora, CiteSeer) be used? false goes on to the download instead, for a
  /// caller that wants the published files fetched and checked (and for the download's tests).
  bool use_builtin = true;
};

/// Returns the directory holding ind.<name>.* (name: cora, citeseer or pubmed, in any case).
/// Throws gat::InvalidArgument for another name and gat::IoError as described above.
std::string find_planetoid(const std::string& name, const DatasetSource& source = {});

/// The cache directory find_planetoid would use: source.cache_dir, else $GAT_CACHE_DIR, else
/// $XDG_CACHE_HOME/gat, else $HOME/.cache/gat; empty when none of these is set.
std::string dataset_cache_dir(const DatasetSource& source = {});

/// The pinned SHA-256 (lowercase hex) of the file ind.<name>.<part>, or "" when gat pins none
/// (PubMed). Throws gat::InvalidArgument for an unknown dataset or part.
std::string planetoid_pinned_sha256(const std::string& name, const std::string& part);

}  // namespace gat

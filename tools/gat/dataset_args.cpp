#include "dataset_args.h"

#include <cstdio>

#include "gat/data/datasets.h"
#include "gat/data/planetoid.h"

namespace gat::cli {

const std::vector<std::string>& planetoid_names() {
  static const std::vector<std::string> names = {"cora", "citeseer", "pubmed"};
  return names;
}

void DatasetArgs::add_to(Options& args, bool with_dataset) {
  if (with_dataset)
    args.add("dataset", &dataset, "cora, citeseer or pubmed (Planetoid, public split)",
             planetoid_names());
  args.add_path("root", &root, PathKind::kInputDirectory,
                "directory with the ind.<name>.* files (or <name>/ or planetoid/<name>/ under "
                "it); else $GAT_DATA_DIR/planetoid/<name>, the cache, the built-in Cora and "
                "CiteSeer, a download");
  args.add("url", &url, "base URL to download the Planetoid files from (default: PyG's source)");
  args.add("cache-dir", &cache_dir,
           "where downloads go (default $GAT_CACHE_DIR, else ~/.cache/gat)");
  args.add_flag("no-download", &no_download, "never download; fail if no local copy is found");
  args.add_flag("raw-features", &raw_features,
                "keep the binary bag-of-words features (default: rows normalised to sum 1)");
}

NodeTask DatasetArgs::load(bool verbose) const {
  DatasetSource source;
  source.root = root;
  source.allow_download = !no_download;
  source.url = url;
  source.cache_dir = cache_dir;
  source.verbose = verbose;
  const std::string dir = find_planetoid(dataset, source);
  if (verbose) std::fprintf(stderr, "reading %s from %s\n", dataset.c_str(), dir.c_str());
  return load_planetoid(dir, dataset, {.normalize_features = !raw_features});
}

}  // namespace gat::cli

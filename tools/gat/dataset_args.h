// tools/gat/dataset_args.h — the dataset options shared by train, eval, predict and info.
#pragma once

#include <string>
#include <vector>

#include "cli.h"
#include "gat/data/node_task.h"

namespace gat::cli {

/// The datasets --dataset accepts, in lower case.
const std::vector<std::string>& planetoid_names();

struct DatasetArgs {
  std::string dataset = "cora";
  std::string root;
  std::string url;
  std::string cache_dir;
  bool no_download = false;
  bool raw_features = false;

  /// Declares --dataset (unless with_dataset is false: `gat compare` names several with
  /// --datasets) and the options that say where the files come from.
  void add_to(Options& args, bool with_dataset = true);
  /// Finds (or downloads) and loads the dataset; progress and provenance go to stderr when
  /// verbose.
  NodeTask load(bool verbose) const;
};

}  // namespace gat::cli

// gat/data/planetoid.h — the Planetoid citation graphs (Cora, CiteSeer, PubMed; Yang, Cohen and
// Salakhutdinov, ICML 2016) read from their original files, built exactly as PyTorch Geometric's
// `Planetoid(root, name)` builds them, public split included.
//
// `dir` holds the eight files ind.<name>.{x,y,tx,ty,allx,ally,graph,test.index} (described in
// data/planetoid/README.md); the binary ones go through the restricted reader gat/io/pickle.h,
// which never executes anything. What the loader builds:
//  * nodes: allx's rows are nodes 0 .. A−1; tx's row k is node test.index[k]. N = max(test.index)
//    + 1. A node in A .. N−1 that test.index does not name (CiteSeer has 15) gets a zero feature
//    row and label 0, as PyG's padding and argmax give.
//  * labels: the position of the 1 in each one-hot row of ally / ty.
//  * split: train = 0 .. len(y)−1, val = the next 500 nodes, test = sorted(test.index).
//  * edges: every key → neighbour pair of `graph`, in both directions, self-loops and duplicates
//    removed, sorted by (source, target): the order of PyG's coalesced edge_index, so edge e here
//    is edge e there. (The files' adjacency is already symmetric, so adding reverses changes
//    nothing for them.)
//  * features: dense [N, F]; duplicate entries of a CSR row add up (as scipy's toarray). With
//    normalize_features each row is divided by its sum; an all-zero row stays zero. That is the
//    GAT paper's preprocessing; PyG's NormalizeFeatures gives the same on these binary features
//    (it differs only on rows summing to less than 1, which it leaves unscaled).
//  * name: "Cora", "CiteSeer" or "PubMed", PyG's spelling.
// Counts (checked in tests/data/test_planetoid.cpp): Cora 2,708 nodes, 10,556 edges, 1,433
// features, 7 classes; CiteSeer 3,327 nodes, 9,104 edges, 3,703 features, 6 classes, 48 isolated
// nodes. PubMed (19,717 nodes, 500 TF-IDF features, 3 classes, 88,648 edges in PyG) takes the
// same code path, but is UNTESTED: its files were not available. Float64 features or int64 /
// float labels, should its files hold them, are read the same way.
//
// Everything is read and checked before anything is built; a missing file, a malformed pickle,
// a label row that is neither one-hot nor zero, a neighbour id out of range, a bad test.index
// line or sizes that disagree throw gat::IoError naming the file.
//
// Example (compiled in tests/data/test_planetoid.cpp):
//
//   gat::NodeTask cora = gat::load_planetoid(data_dir + "/planetoid/cora", "cora");
//   cora.features.shape();        // [2708, 1433], rows sum to 1
//   cora.graph.num_edges();       // 10556
//   cora.train.size();            // 140
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gat/data/node_task.h"

namespace gat {

struct PlanetoidOptions {
  /// Divide each feature row by its sum (an all-zero row stays zero).
  bool normalize_features = true;
};

/// Loads ind.<name>.* from `dir`; name is cora, citeseer or pubmed, in any case. Throws
/// gat::InvalidArgument for another name and gat::IoError for a missing or malformed file.
NodeTask load_planetoid(const std::string& dir, const std::string& name,
                        const PlanetoidOptions& options = {});

/// Reads a test.index file: one non-negative node id per line (blank lines at the end allowed).
/// Throws gat::IoError naming the file and the line of the first bad entry.
std::vector<int64_t> read_planetoid_index(const std::string& path);

}  // namespace gat

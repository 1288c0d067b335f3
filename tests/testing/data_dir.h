// tests/testing/data_dir.h — where the tests find the real datasets: the repository's own data/
// (data/planetoid/cora and data/planetoid/citeseer, the original Planetoid files, built in).
//
// Tests read nothing outside the repository and need no network: a clone in an empty folder
// passes. The path is fixed at configure time (GAT_TEST_SOURCE_DIR) and no environment variable
// redirects it, so a user's GAT_DATA_DIR cannot change what the tests read. Tests never skip when
// the data is missing: a missing file is a failure.
#pragma once

#include <string>

namespace gat::testing {

inline std::string data_dir() { return GAT_TEST_SOURCE_DIR "/data"; }

}  // namespace gat::testing

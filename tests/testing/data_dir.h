// tests/testing/data_dir.h — where the tests find the real datasets (../shared/data).
//
// The environment variable GAT_DATA_DIR wins; otherwise the directory CMake recorded
// (GAT_TEST_DATA_DIR, ../shared/data beside the repository). Tests never skip when the data is
// missing: a missing file is a failure.
#pragma once

#include <cstdlib>
#include <string>

namespace gat::testing {

inline std::string data_dir() {
  if (const char* env = std::getenv("GAT_DATA_DIR"); env && *env) return env;
  return GAT_TEST_DATA_DIR;
}

}  // namespace gat::testing

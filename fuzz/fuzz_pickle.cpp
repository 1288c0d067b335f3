// fuzz/fuzz_pickle.cpp — the restricted pickle reader (gat/io/pickle.h) on arbitrary bytes, as
// src/data/planetoid.cpp runs it on the Planetoid ind.* files. A value tree that comes back is
// walked once per node (memo references make it a DAG) and checked against the header's promises:
// arrays hold numel × itemsize bytes, CSR matrices are checked, nesting stays within kMaxDepth.
#include <cmath>
#include <unordered_set>
#include <vector>

#include "fuzz_common.h"
#include "gat/core/error.h"
#include "gat/io/pickle.h"

namespace {

using gat::pickle::Kind;
using gat::pickle::Value;

void check_array(const gat::pickle::Array& a) {
  const int n = a.dtype.itemsize;
  FUZZ_CHECK(n == 1 || n == 2 || n == 4 || n == 8);
  for (int64_t d : a.shape)
    FUZZ_CHECK(d >= 0);
  const int64_t numel = a.numel();
  FUZZ_CHECK(static_cast<int64_t>(a.bytes.size()) == numel * n);
  double sum = 0;
  for (int64_t k = 0; k < numel; ++k)
    sum += a.get(k);  // reads every element
  (void)sum;
}

void check_csr(const gat::pickle::Csr& m) {
  FUZZ_CHECK(m.rows >= 0 && m.cols >= 0);
  FUZZ_CHECK(static_cast<int64_t>(m.indptr.size()) == m.rows + 1);
  FUZZ_CHECK(m.indptr[0] == 0);
  for (int64_t r = 0; r < m.rows; ++r)
    FUZZ_CHECK(m.indptr[r] <= m.indptr[r + 1]);
  FUZZ_CHECK(m.indptr[m.rows] == m.nnz());
  FUZZ_CHECK(m.data.size() == m.indices.size());
  for (int64_t c : m.indices)
    FUZZ_CHECK(c >= 0 && c < m.cols);
}

void walk(const gat::pickle::ValuePtr& root) {
  std::unordered_set<const Value*> seen;
  std::vector<const Value*> todo = {root.get()};
  while (!todo.empty()) {
    const Value* v = todo.back();
    todo.pop_back();
    FUZZ_CHECK(v != nullptr);
    if (!seen.insert(v).second) continue;
    FUZZ_CHECK(gat::pickle::kind_name(v->kind) != nullptr);
    FUZZ_CHECK(v->depth >= 0 && v->depth <= gat::pickle::kMaxDepth);
    switch (v->kind) {
      case Kind::kTuple:
      case Kind::kList:
        for (const auto& item : v->items) {
          FUZZ_CHECK(item->depth < v->depth);
          todo.push_back(item.get());
        }
        break;
      case Kind::kDict:
        for (const auto& [key, value] : v->entries) {
          FUZZ_CHECK(key->kind == Kind::kInt || key->kind == Kind::kString);
          FUZZ_CHECK(key->depth < v->depth && value->depth < v->depth);
          todo.push_back(key.get());
          todo.push_back(value.get());
        }
        break;
      case Kind::kArray:
        if (v->built) check_array(v->array);
        break;
      case Kind::kCsr:
        if (v->built) check_csr(v->csr);
        break;
      case Kind::kDType:
        if (v->built) FUZZ_CHECK(v->dtype.str().size() >= 3);
        break;
      default:
        break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const gat::pickle::ValuePtr v = gat::pickle::parse(gat::fuzz::bytes_of(data, size), "fuzz.pkl");
    walk(v);
  } catch (const gat::Error&) {
    // A typed error (gat::IoError) is the expected answer to a malformed pickle.
  }
  return 0;
}

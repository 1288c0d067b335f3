// gat/io/pickle.h — a restricted, non-executing reader for the Python 2 pickles of the Planetoid
// datasets (ind.<name>.{x,y,tx,ty,allx,ally,graph}; described in data/planetoid/README.md).
//
// A pickle is a program for a small stack machine; Python's reader runs it and calls whatever
// class or function it names, which is why loading an untrusted pickle can run arbitrary code.
// This reader runs nothing. It knows the protocol-2 opcodes those files use and six class names:
//
//   scipy.sparse.csr csr_matrix   numpy.core.multiarray _reconstruct   numpy ndarray
//   numpy dtype                   collections defaultdict              __builtin__ list
//
// and interprets REDUCE / NEWOBJ / BUILD on exactly those, producing a tree of Values: None,
// bool, int, string (Python 2 str, raw bytes), tuple, list, dict (and defaultdict(list)), numpy
// arrays (numeric dtypes, little-endian or single-byte, C order), CSR matrices and dtypes.
//
// Safety rules (each violation throws gat::IoError "<file>: offset <n>: <what was found>"):
//  * any other opcode, any other GLOBAL name, a protocol other than 2;
//  * truncation (an argument or STOP missing), bytes after STOP, a stack underflow, a MARK
//    missing or left open, a BINGET of a memo slot never set;
//  * a REDUCE / NEWOBJ / BUILD whose arguments are not the shapes numpy and scipy write;
//  * an array whose byte count is not numel × itemsize, a big-endian or structured dtype;
//  * a CSR matrix whose indptr is not 0 … nnz and non-decreasing, whose indices, data and
//    indptr disagree in length, or whose column index is ≥ the number of columns;
//  * a list or dict changed after it was placed inside another container, or placed inside
//    itself, or nesting deeper than kMaxDepth. Those three rules (the Planetoid files never need
//    more) make the value tree acyclic and shallow, so it is freed without deep recursion.
// The whole file is read into memory first and nothing is returned on error.
//
// Example (compiled in tests/io/test_pickle.cpp):
//
//   gat::pickle::ValuePtr v = gat::pickle::load(dir + "/ind.cora.x");
//   const gat::pickle::Csr& x = v->csr;    // v->kind == gat::pickle::Kind::kCsr
//   x.rows;                                // 140 (x.cols == 1433)
//   x.data[x.indptr[0]];                   // 1.0: first stored value of row 0
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gat::pickle {

/// Containers may nest at most this deep (the Planetoid files need 3).
inline constexpr int kMaxDepth = 32;

/// A numpy dtype: element kind and size, e.g. "<f4". Only numeric, non-structured types.
struct DType {
  char kind = 0;            // 'f' float, 'i' signed int, 'u' unsigned int, 'b' bool
  int itemsize = 0;         // bytes per element: 1, 2, 4 or 8
  char byte_order = 0;      // '<' little-endian or '|' single byte; 0 until BUILD sets it
  std::string str() const;  // "<f4"
};

/// A numpy ndarray, C order, its elements kept as raw little-endian bytes.
struct Array {
  DType dtype;
  std::vector<int64_t> shape;
  std::string bytes;  // numel() * dtype.itemsize bytes

  int64_t numel() const;
  /// Element k (flat C-order index) as a double: exact for every type except 64-bit integers
  /// beyond 2^53.
  double get(int64_t k) const;
};

/// A scipy.sparse.csr_matrix, checked: indptr[0] = 0, indptr non-decreasing, indptr[rows] = nnz,
/// every index in [0, cols). Duplicate or unsorted column indices within a row are kept as
/// stored (scipy's toarray() sums duplicates).
struct Csr {
  int64_t rows = 0, cols = 0;
  std::vector<int64_t> indptr;   // rows + 1
  std::vector<int64_t> indices;  // nnz
  std::vector<double> data;      // nnz, converted from the stored dtype
  int64_t nnz() const { return static_cast<int64_t>(indices.size()); }
};

enum class Kind : uint8_t {
  kNone,
  kBool,
  kInt,
  kString,
  kTuple,
  kList,
  kDict,
  kClass,
  kDType,
  kArray,
  kCsr
};
/// "None", "bool", "int", "str", "tuple", "list", "dict", "class", "dtype", "ndarray", "csr_matrix"
const char* kind_name(Kind kind);

struct Value;
using ValuePtr = std::shared_ptr<Value>;

/// One node of the value tree. Only the fields of its kind are meaningful.
struct Value {
  Kind kind = Kind::kNone;
  int64_t integer = 0;          // kInt; kBool (0 or 1)
  std::string string;           // kString (the str's bytes); kClass ("numpy ndarray")
  std::vector<ValuePtr> items;  // kTuple, kList
  std::vector<std::pair<ValuePtr, ValuePtr>> entries;  // kDict, in file order, as written
  bool is_defaultdict = false;                         // kDict made by defaultdict(list)
  DType dtype;                                         // kDType
  Array array;                                         // kArray
  Csr csr;                                             // kCsr

  // Set by the reader.
  bool built = false;   // kDType / kArray / kCsr: BUILD has given it its state
  bool nested = false;  // placed inside a tuple, list or dict: no longer changes
  int depth = 0;        // container levels below this value (0 for a scalar)
};

/// Runs the pickle held in `bytes`; `name` (the file's path) starts every error message.
/// Returns the value STOP leaves. Throws gat::IoError as listed above.
ValuePtr parse(std::string_view bytes, const std::string& name);

/// Reads the file at `path` fully, then parse(). A missing or unreadable file throws
/// gat::IoError naming the path.
ValuePtr load(const std::string& path);

}  // namespace gat::pickle

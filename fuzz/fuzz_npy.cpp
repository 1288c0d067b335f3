// fuzz/fuzz_npy.cpp — the .npy readers (gat/io/npy.h) on arbitrary bytes, through parse_npy_f32
// and parse_npy_i64, the in-memory halves of load_npy_f32 and load_npy_i64. Both run on every
// input (they accept different dtypes and share the header parser). What comes back is checked:
// the element count matches the shape and the bytes after the header, every element is readable.
#include <optional>
#include <vector>

#include "fuzz_common.h"
#include "gat/core/error.h"
#include "gat/io/npy.h"

namespace {

// numel of a shape, or nullopt past int64 (a successful load must not have one).
std::optional<int64_t> numel_of(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || __builtin_mul_overflow(n, d, &n)) return std::nullopt;
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes = gat::fuzz::bytes_of(data, size);

  std::optional<gat::Tensor> t;
  try {
    t = gat::io::parse_npy_f32(bytes, "fuzz.npy");
  } catch (const gat::Error&) {
    // A typed error (gat::IoError) is the expected answer to a malformed or non-float file.
  }
  if (t) {
    FUZZ_CHECK(t->defined() && t->dim() <= gat::Shape::kMaxDims);
    FUZZ_CHECK(static_cast<uint64_t>(t->numel()) * 4 <= size);
    float sum = 0;
    for (int64_t i = 0; i < t->numel(); ++i)
      sum += t->data()[i];
    (void)sum;
  }

  std::optional<std::vector<int64_t>> v;
  std::vector<int64_t> shape;
  try {
    v = gat::io::parse_npy_i64(bytes, "fuzz.npy", &shape);
  } catch (const gat::Error&) {
    // Same, for the integer reader.
  }
  if (v) {
    const std::optional<int64_t> n = numel_of(shape);
    FUZZ_CHECK(n && static_cast<uint64_t>(*n) == v->size());
    FUZZ_CHECK(v->size() * 4 <= size);
  }
  return 0;
}

// fuzz/fuzz_safetensors.cpp — the safetensors reader (gat/io/safetensors.h) on arbitrary bytes,
// through parse_safetensors, the in-memory half of load_safetensors. What comes back is checked
// against the format: at most 3 dimensions, every element readable, no more element bytes than
// the buffer holds, metadata strings valid UTF-8 (they came out of a JSON parser).
#include <optional>

#include "fuzz_common.h"
#include "gat/core/error.h"
#include "gat/io/json.h"
#include "gat/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::optional<gat::io::SafetensorsData> d;
  try {
    d = gat::io::parse_safetensors(gat::fuzz::bytes_of(data, size), "fuzz.safetensors");
  } catch (const gat::Error&) {
    return 0;  // a typed error (gat::IoError) is the expected answer to a malformed file
  }
  // Checked outside the try: a typed error from here on is a broken promise, not bad input.
  FUZZ_CHECK(size >= 8);
  uint64_t header = 0;
  for (int i = 7; i >= 0; --i)
    header = (header << 8) | data[i];
  FUZZ_CHECK(header <= size - 8);
  uint64_t min_bytes = 0;  // 2 bytes per element at least (F16, BF16)
  for (const auto& [name, t] : d->tensors) {
    FUZZ_CHECK(name != "__metadata__");
    FUZZ_CHECK(t.defined() && t.dim() <= gat::Shape::kMaxDims);
    float sum = 0;
    for (int64_t i = 0; i < t.numel(); ++i)
      sum += t.data()[i];  // reads every element: ASan checks the buffer
    (void)sum;
    min_bytes += 2 * static_cast<uint64_t>(t.numel());
  }
  FUZZ_CHECK(min_bytes <= size - 8 - header);
  for (const auto& [key, value] : d->metadata) {
    (void)gat::json::dump(gat::Json(key));  // throws JsonError for invalid UTF-8
    (void)gat::json::dump(gat::Json(value));
  }
  return 0;
}

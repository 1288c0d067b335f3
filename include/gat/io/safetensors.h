// gat/io/safetensors.h — tensors in the safetensors format (huggingface.co/docs/safetensors),
// the checkpoint format PyTorch and Hugging Face users load with safetensors.torch.load_file.
//
// A file is: N as a little-endian u64, N bytes of a UTF-8 JSON object (the header), then a byte
// buffer. The header maps each tensor name to {"dtype": "F32", "shape": [...], "data_offsets":
// [begin, end]} (offsets relative to the buffer, end exclusive) and may hold "__metadata__", a
// map of string to string. Data are little-endian and C order.
//
// What save_safetensors writes (decisions):
//  * dtype F32 only (gat::Tensor is float32); tensors laid out in the buffer in the order given,
//    back to back with no gaps; header members in the same order.
//  * "__metadata__" first, as the reference implementation (the Rust safetensors crate) writes
//    it, and only when the map is non-empty (the reference writes it when metadata is not None;
//    Python's save_file defaults to None). Its entries are in std::map (sorted) order.
//  * The header is compact JSON ({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}),
//    padded with spaces to a multiple of 8 bytes so the buffer starts 8-byte aligned, as the
//    reference does.
//  * The reference sorts tensors by descending dtype alignment, then by name; with F32 only that
//    is name order. So when the tensors are given sorted by name, the file is byte-identical to
//    the reference's (tests/io/test_safetensors.cpp checks the crate's own test vectors). In any
//    order the file is valid and loadable by the reference: valid header, aligned start, buffer
//    fully covered.
//  * Written atomically (gat/io/atomic_file.h). An empty or duplicate name, the name
//    "__metadata__", a name or metadata string that is not valid UTF-8, or an undefined tensor
//    throws gat::InvalidArgument before anything is written.
//
// What load_safetensors accepts:
//  * tensors returned in buffer order (sorted by data_offsets); metadata as written;
//  * dtype F32 as is; F64, F16 and BF16 converted to float32 (F64 rounds to nearest, values
//    beyond float range become ±inf; F16 and BF16 convert exactly). Every other dtype of the spec
//    (BOOL, U8, I8, F8_*, I16, U16, I32, U32, I64, U64) throws gat::IoError naming the tensor and
//    the dtype; an unknown dtype name too;
//  * shapes of 0 to 3 dimensions (gat::Tensor holds at most 3); zero-sized dimensions allowed;
//  * members of a tensor entry other than dtype, shape and data_offsets are ignored, as the
//    reference does; "__metadata__": null reads as no metadata.
//  Each of these throws gat::IoError "<path>: <problem>", checked before any tensor is built:
//  a file shorter than 8 bytes; a header length above 100 MB (the reference's limit) or past the
//  end of the file; a header that is not valid JSON (parse errors name line and column) or not
//  an object; an entry that is not an object or lacks dtype, shape or data_offsets, or whose
//  shape or offsets are not non-negative integers (two offsets); offsets past the buffer, end
//  < begin, a byte size other than numel × dtype size; tensors overlapping or leaving a hole, or
//  not reaching the end of the buffer (the spec requires the buffer to be exactly covered);
//  "__metadata__" not an object or with a value that is not a string.
//
// Example (compiled in tests/io/test_safetensors.cpp):
//
//   gat::Tensor w = gat::Tensor::full({2, 3}, 0.5f);
//   gat::io::save_safetensors(dir + "/model.safetensors", {{"conv1.lin.weight", w}},
//                             {{"format", "pt"}});
//   gat::io::SafetensorsData d = gat::io::load_safetensors(dir + "/model.safetensors");
//   d.tensors[0].first;           // "conv1.lin.weight"
//   d.tensors[0].second.shape();  // [2, 3]
//   d.metadata.at("format");      // "pt"
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gat/core/tensor.h"

namespace gat::io {

/// The reference implementation's limit on the header size, in bytes.
inline constexpr uint64_t kSafetensorsMaxHeader = 100'000'000;

struct SafetensorsData {
  std::vector<std::pair<std::string, Tensor>> tensors;  // in buffer order
  std::map<std::string, std::string> metadata;
};

/// Writes `tensors` (float32, in the given order) and `metadata` to path; see the overview.
void save_safetensors(const std::string& path,
                      const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

/// Reads and validates a whole safetensors file; see the overview for what is accepted.
SafetensorsData load_safetensors(const std::string& path);

/// The same checks and result for a file's bytes already in memory; `name` (a path, or what the
/// bytes came from) stands for the path in the messages, which start "parse_safetensors: '<name>':
/// ".
SafetensorsData parse_safetensors(std::string_view bytes, const std::string& name);

}  // namespace gat::io

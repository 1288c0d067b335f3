#include "gat/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <set>
#include <string_view>

#include "gat/core/error.h"
#include "gat/io/atomic_file.h"
#include "gat/io/json.h"
#include "little_endian.h"

namespace gat::io {

namespace {

using little_endian::load_le;
using little_endian::store_le;

// Every dtype of the safetensors spec that has a whole number of bytes per element.
struct DTypeInfo {
  const char* name;
  uint64_t size;
  bool readable;  // converted to float32 by load_safetensors
};
constexpr DTypeInfo kDTypes[] = {
    {"BOOL", 1, false},    {"U8", 1, false},  {"I8", 1, false},  {"F8_E5M2", 1, false},
    {"F8_E4M3", 1, false}, {"I16", 2, false}, {"U16", 2, false}, {"F16", 2, true},
    {"BF16", 2, true},     {"I32", 4, false}, {"U32", 4, false}, {"F32", 4, true},
    {"F64", 8, true},      {"I64", 8, false}, {"U64", 8, false},
};

const DTypeInfo* find_dtype(const std::string& name) {
  for (const DTypeInfo& d : kDTypes)
    if (name == d.name) return &d;
  return nullptr;
}

// Little-endian loads and stores, independent of the host's byte order.
float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1f;
  const uint32_t mant = h & 0x3ff;
  if (exp == 0) {  // zero or subnormal: mant × 2^-24, exact in float32
    const float mag = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -mag : mag;
  }
  if (exp == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));  // inf, NaN
  return std::bit_cast<float>(sign | ((exp + 127 - 15) << 23) | (mant << 13));
}

float element(const char* p, const std::string& dtype) {
  if (dtype == "F32") return std::bit_cast<float>(static_cast<uint32_t>(load_le(p, 4)));
  if (dtype == "F64") return static_cast<float>(std::bit_cast<double>(load_le(p, 8)));
  if (dtype == "F16") return f16_to_f32(static_cast<uint16_t>(load_le(p, 2)));
  GAT_ASSERT(dtype == "BF16", "unexpected dtype ", dtype);
  return std::bit_cast<float>(static_cast<uint32_t>(load_le(p, 2)) << 16);
}

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t d = 0; d < shape.size(); ++d)
    s += (d ? ", " : "") + std::to_string(shape[d]);
  return s + "]";
}

// One tensor entry of a header, checked on its own.
struct Entry {
  std::string name;
  std::string dtype;
  uint64_t itemsize = 0;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;
};

template <typename... Args>
[[noreturn]] void fail_load(const std::string& path, const Args&... args) {
  throw IoError(detail::concat("load_safetensors: '", path, "': ", args...));
}

}  // namespace

void save_safetensors(const std::string& path,
                      const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  constexpr const char* kWhere = "save_safetensors";
  std::set<std::string_view> names;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& [name, t] = tensors[i];
    check_arg(!name.empty(), kWhere, "tensor ", i, " has an empty name");
    check_arg(name != "__metadata__", kWhere, "tensor ", i,
              ": the name \"__metadata__\" is reserved for the metadata map");
    check_arg(json::is_valid_utf8(name), kWhere, "tensor ", i, ": name is not valid UTF-8");
    check_arg(names.insert(name).second, kWhere, "duplicate tensor name '", name, "'");
    check_arg(t.defined(), kWhere, "tensor '", name, "' is undefined");
  }
  for (const auto& [k, v] : metadata)
    check_arg(json::is_valid_utf8(k) && json::is_valid_utf8(v), kWhere, "metadata entry '", k,
              "' is not valid UTF-8");

  json::Value header = json::Value::object();
  if (!metadata.empty()) {
    json::Value& m = header["__metadata__"];
    for (const auto& [k, v] : metadata)
      m[k] = v;
  }
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    json::Value& e = header[name];
    e["dtype"] = "F32";
    json::Value& shape = e["shape"];
    shape = json::Value::array();
    for (int d = 0; d < t.dim(); ++d)
      shape.push_back(t.size(d));
    json::Value& offsets = e["data_offsets"];
    offsets.push_back(offset);
    offsets.push_back(offset + t.nbytes());
    offset += t.nbytes();
  }
  std::string text = json::dump(header);
  text.append((8 - text.size() % 8) % 8, ' ');  // the buffer starts 8-byte aligned

  std::string out(8 + text.size() + offset, '\0');
  store_le(out.data(), text.size(), 8);
  std::memcpy(out.data() + 8, text.data(), text.size());
  char* p = out.data() + 8 + text.size();
  for (const auto& [name, t] : tensors) {
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(p, t.data(), t.nbytes());
      p += t.nbytes();
    } else {
      for (int64_t i = 0; i < t.numel(); ++i, p += 4)
        store_le(p, std::bit_cast<uint32_t>(t.data()[i]), 4);
    }
  }
  write_file_atomic(path, out);
}

SafetensorsData load_safetensors(const std::string& path) {
  const std::string bytes = read_file(path);
  auto fail = [&path](const auto&... args) { fail_load(path, args...); };

  if (bytes.size() < 8)
    fail("file is ", bytes.size(), " bytes, shorter than the 8-byte header length");
  const uint64_t n = load_le(bytes.data(), 8);
  if (n > kSafetensorsMaxHeader)
    fail("header length ", n, " exceeds the limit of ", kSafetensorsMaxHeader, " bytes (100 MB)");
  if (n > bytes.size() - 8)
    fail("header length ", n, " runs past the end of the file (", bytes.size(), " bytes)");
  const uint64_t buffer_size = bytes.size() - 8 - n;
  const char* buffer = bytes.data() + 8 + n;

  json::Value header;
  try {
    header = json::parse(std::string_view(bytes).substr(8, n));
  } catch (const json::JsonError& e) {
    fail("header is not valid JSON: ", e.what());
  }
  if (!header.is_object())
    fail("header is not a JSON object (got ", json::type_name(header.type()), ")");

  SafetensorsData out;
  std::vector<Entry> entries;
  for (const auto& [name, v] : header.items()) {
    if (name == "__metadata__") {
      if (v.is_null()) continue;
      if (!v.is_object())
        fail("__metadata__ is not an object (got ", json::type_name(v.type()), ")");
      for (const auto& [k, s] : v.items()) {
        if (!s.is_string())
          fail("__metadata__ value for key '", k, "' is not a string (got ",
               json::type_name(s.type()), ")");
        out.metadata[k] = s.as_string();
      }
      continue;
    }
    Entry e;
    e.name = name;
    if (!v.is_object()) fail("tensor '", name, "': entry is not an object");
    for (const char* key : {"dtype", "shape", "data_offsets"})
      if (!v.contains(key)) fail("tensor '", name, "': entry has no \"", key, "\"");

    const json::Value& dtype = v.at("dtype");
    if (!dtype.is_string()) fail("tensor '", name, "': dtype is not a string");
    e.dtype = dtype.as_string();
    const DTypeInfo* info = find_dtype(e.dtype);
    if (!info) fail("tensor '", name, "': unknown dtype '", e.dtype, "'");
    if (!info->readable)
      fail("tensor '", name, "': dtype ", e.dtype,
           " is not supported (F32, F64, F16 and BF16 are read, as float32)");
    e.itemsize = info->size;

    const json::Value& shape = v.at("shape");
    bool shape_ok = shape.is_array();
    if (shape_ok)
      for (const json::Value& d : shape.elements())
        shape_ok = shape_ok && d.is_int() && d.as_int() >= 0;
    if (!shape_ok) fail("tensor '", name, "': shape is not an array of non-negative integers");
    for (const json::Value& d : shape.elements())
      e.shape.push_back(d.as_int());
    if (e.shape.size() > static_cast<size_t>(Shape::kMaxDims))
      fail("tensor '", name, "': ", e.shape.size(), "-d shape ", shape_str(e.shape),
           " (gat::Tensor holds at most ", Shape::kMaxDims, " dimensions)");

    const json::Value& offs = v.at("data_offsets");
    bool offs_ok = offs.is_array() && offs.size() == 2;
    if (offs_ok)
      for (const json::Value& o : offs.elements())
        offs_ok = offs_ok && o.is_int() && o.as_int() >= 0;
    if (!offs_ok) fail("tensor '", name, "': data_offsets is not two non-negative integers");
    e.begin = static_cast<uint64_t>(offs.at(0).as_int());
    e.end = static_cast<uint64_t>(offs.at(1).as_int());
    const std::string where = "tensor '" + name + "': data_offsets [" + std::to_string(e.begin) +
                              ", " + std::to_string(e.end) + "]";
    if (e.end < e.begin) fail(where, ": end before begin");
    if (e.end > buffer_size)
      fail(where, " run past the end of the ", buffer_size, "-byte data buffer");
    uint64_t want = e.itemsize;
    for (int64_t d : e.shape)
      if (__builtin_mul_overflow(want, static_cast<uint64_t>(d), &want))
        fail("tensor '", name, "': shape ", shape_str(e.shape), " is too large");
    if (e.end - e.begin != want)
      fail(where, " hold ", e.end - e.begin, " bytes, but shape ", shape_str(e.shape), " of ",
           e.dtype, " needs ", want);
    entries.push_back(std::move(e));
  }

  // The spec requires the tensors to tile the buffer exactly: no overlap, no hole, no tail.
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t covered = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (e.begin < covered)
      fail("tensor '", e.name, "': data_offsets [", e.begin, ", ", e.end, "] overlap tensor '",
           entries[i - 1].name, "' [", entries[i - 1].begin, ", ", entries[i - 1].end, "]");
    if (e.begin > covered)
      fail("bytes [", covered, ", ", e.begin,
           ") of the data buffer belong to no tensor (a hole "
           "before tensor '",
           e.name, "')");
    covered = e.end;
  }
  if (covered != buffer_size)
    fail("bytes [", covered, ", ", buffer_size,
         ") at the end of the data buffer belong to no tensor");

  for (const Entry& e : entries) {
    Tensor t = Tensor::empty(Shape(e.shape));
    const char* p = buffer + e.begin;
    float* dst = t.data();
    const int64_t numel = t.numel();
    if (e.dtype == "F32" && std::endian::native == std::endian::little) {
      std::memcpy(dst, p, static_cast<size_t>(numel) * sizeof(float));
    } else {
      for (int64_t i = 0; i < numel; ++i)
        dst[i] = element(p + i * e.itemsize, e.dtype);
    }
    out.tensors.emplace_back(e.name, std::move(t));
  }
  return out;
}

}  // namespace gat::io

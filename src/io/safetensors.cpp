#include "gat/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
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

// A non-negative JSON integer. nlohmann's parser stores one as number_unsigned, a negative one as
// number_integer, and one beyond uint64 or written with a fraction or exponent (2.0) as a float.
std::optional<uint64_t> non_negative_integer(const Json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer() && v.get<int64_t>() >= 0)
    return static_cast<uint64_t>(v.get<int64_t>());
  return std::nullopt;
}

// nlohmann's dump is the UTF-8 check: it refuses a string that is not valid UTF-8.
bool is_valid_utf8(const std::string& s) {
  try {
    json::dump(Json(s));
    return true;
  } catch (const json::JsonError&) {
    return false;
  }
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
    check_arg(is_valid_utf8(name), kWhere, "tensor ", i, ": name is not valid UTF-8");
    check_arg(names.insert(name).second, kWhere, "duplicate tensor name '", name, "'");
    check_arg(t.defined(), kWhere, "tensor '", name, "' is undefined");
  }
  for (const auto& [k, v] : metadata)
    check_arg(is_valid_utf8(k) && is_valid_utf8(v), kWhere, "metadata entry '", k,
              "' is not valid UTF-8");

  Json header = Json::object();
  if (!metadata.empty()) {
    Json& m = header["__metadata__"];
    for (const auto& [k, v] : metadata)
      m[k] = v;
  }
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    Json& e = header[name];
    e["dtype"] = "F32";
    Json& shape = e["shape"];
    shape = Json::array();
    for (int d = 0; d < t.dim(); ++d)
      shape.push_back(t.size(d));
    e["data_offsets"] = {offset, offset + t.nbytes()};
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

namespace {

// The whole of load_safetensors and parse_safetensors; `where` (the public function's name) and
// `path` start every message.
SafetensorsData parse_bytes(std::string_view bytes, const char* where, const std::string& path) {
  auto fail = [where, &path](const auto&... args) {
    throw IoError(detail::concat(where, ": '", path, "': ", args...));
  };

  if (bytes.size() < 8)
    fail("file is ", bytes.size(), " bytes, shorter than the 8-byte header length");
  const uint64_t n = load_le(bytes.data(), 8);
  if (n > kSafetensorsMaxHeader)
    fail("header length ", n, " exceeds the limit of ", kSafetensorsMaxHeader, " bytes (100 MB)");
  if (n > bytes.size() - 8)
    fail("header length ", n, " runs past the end of the file (", bytes.size(), " bytes)");
  const uint64_t buffer_size = bytes.size() - 8 - n;
  const char* buffer = bytes.data() + 8 + n;

  Json header;
  try {
    // json::parse starts its errors with this `what`: "header is not valid JSON: line 1, ...".
    header = json::parse(bytes.substr(8, n), "header is not valid JSON");
  } catch (const json::JsonError& e) {
    fail(e.what());
  }
  if (!header.is_object()) fail("header is not a JSON object (got ", json::describe(header), ")");

  SafetensorsData out;
  std::vector<Entry> entries;
  for (const auto& [name, v] : header.items()) {
    if (name == "__metadata__") {
      if (v.is_null()) continue;
      if (!v.is_object()) fail("__metadata__ is not an object (got ", json::describe(v), ")");
      for (const auto& [k, s] : v.items()) {
        if (!s.is_string())
          fail("__metadata__ value for key '", k, "' is not a string (got ", json::describe(s),
               ")");
        out.metadata[k] = s.get<std::string>();
      }
      continue;
    }
    Entry e;
    e.name = name;
    if (!v.is_object()) fail("tensor '", name, "': entry is not an object");
    for (const char* key : {"dtype", "shape", "data_offsets"})
      if (!v.contains(key)) fail("tensor '", name, "': entry has no \"", key, "\"");

    const Json& dtype = v.at("dtype");
    if (!dtype.is_string()) fail("tensor '", name, "': dtype is not a string");
    e.dtype = dtype.get<std::string>();
    const DTypeInfo* info = find_dtype(e.dtype);
    if (!info) fail("tensor '", name, "': unknown dtype '", e.dtype, "'");
    if (!info->readable)
      fail("tensor '", name, "': dtype ", e.dtype,
           " is not supported (F32, F64, F16 and BF16 are read, as float32)");
    e.itemsize = info->size;

    const Json& shape = v.at("shape");
    if (!shape.is_array())
      fail("tensor '", name, "': shape is not an array of non-negative integers");
    for (const Json& d : shape) {
      const std::optional<uint64_t> size = non_negative_integer(d);
      if (!size || *size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        fail("tensor '", name, "': shape is not an array of non-negative integers");
      e.shape.push_back(static_cast<int64_t>(*size));
    }
    if (e.shape.size() > static_cast<size_t>(Shape::kMaxDims))
      fail("tensor '", name, "': ", e.shape.size(), "-d shape ", shape_str(e.shape),
           " (gat::Tensor holds at most ", Shape::kMaxDims, " dimensions)");

    const Json& offs = v.at("data_offsets");
    std::optional<uint64_t> begin, end;
    if (offs.is_array() && offs.size() == 2) {
      begin = non_negative_integer(offs[0]);
      end = non_negative_integer(offs[1]);
    }
    if (!begin || !end) fail("tensor '", name, "': data_offsets is not two non-negative integers");
    e.begin = *begin;
    e.end = *end;
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

}  // namespace

SafetensorsData parse_safetensors(std::string_view bytes, const std::string& name) {
  return parse_bytes(bytes, "parse_safetensors", name);
}

SafetensorsData load_safetensors(const std::string& path) {
  return parse_bytes(read_file(path), "load_safetensors", path);
}

}  // namespace gat::io

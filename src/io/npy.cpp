#include "gat/io/npy.h"

#include <bit>
#include <cstring>
#include <string_view>

#include "gat/core/error.h"
#include "gat/io/atomic_file.h"
#include "little_endian.h"

namespace gat::io {

namespace {

using little_endian::load_le;
using little_endian::store_le;

constexpr std::string_view kMagic("\x93NUMPY", 6);
constexpr size_t kAlign = 64;             // numpy's ARRAY_ALIGN
constexpr size_t kGrowthAxisDigits = 21;  // numpy's GROWTH_AXIS_MAX_DIGITS

template <typename... Args>
[[noreturn]] void fail(const char* where, const std::string& path, const Args&... args) {
  throw IoError(detail::concat(where, ": '", path, "': ", args...));
}

// The parsed header of a .npy file, and where its data start.
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
  size_t data_offset = 0;
  uint64_t numel = 1;
};

// Reads the Python dict literal numpy writes as the header: {'descr': '<f4', 'fortran_order':
// False, 'shape': (2, 3), } (any key order and spacing; trailing comma optional).
class DictParser {
 public:
  DictParser(std::string_view text, const char* where, const std::string& path)
      : s_(text), where_(where), path_(path) {}

  NpyHeader parse() {
    NpyHeader h;
    bool have_descr = false, have_fortran = false, have_shape = false;
    skip_ws();
    expect('{');
    for (;;) {
      skip_ws();
      if (peek() == '}') break;
      const std::string key = py_string();
      skip_ws();
      expect(':');
      skip_ws();
      if (key == "descr") {
        if (have_descr) bad("key 'descr' appears twice");
        h.descr = py_string();
        have_descr = true;
      } else if (key == "fortran_order") {
        if (have_fortran) bad("key 'fortran_order' appears twice");
        h.fortran_order = py_bool();
        have_fortran = true;
      } else if (key == "shape") {
        if (have_shape) bad("key 'shape' appears twice");
        h.shape = py_tuple();
        have_shape = true;
      } else {
        bad("unexpected key '" + key + "'");
      }
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') bad("expected ',' or '}' after the value of '" + key + "'");
    }
    ++pos_;  // '}'
    skip_ws();
    if (pos_ != s_.size()) bad("text after the closing '}'");
    if (!have_descr || !have_fortran || !have_shape)
      bad("the keys 'descr', 'fortran_order' and 'shape' are all required");
    return h;
  }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    std::string shown(s_.substr(0, 120));
    while (!shown.empty() && (shown.back() == ' ' || shown.back() == '\n'))
      shown.pop_back();
    fail(where_, path_, "header is not the Python dict numpy writes: ", what, " (at byte ", pos_,
         " of \"", shown, "\")");
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  void expect(char c) {
    if (peek() != c) bad(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string py_string() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') bad("expected a quoted string");
    const size_t start = ++pos_;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\') bad("escapes in strings are not supported");
      ++pos_;
    }
    if (pos_ >= s_.size()) bad("unterminated string");
    return std::string(s_.substr(start, pos_++ - start));
  }
  bool py_bool() {
    if (s_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (s_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    bad("fortran_order is not True or False");
  }
  std::vector<int64_t> py_tuple() {
    std::vector<int64_t> dims;
    expect('(');
    for (;;) {
      skip_ws();
      if (peek() == ')') break;
      if (peek() < '0' || peek() > '9') bad("shape is not a tuple of non-negative integers");
      int64_t d = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (d > (INT64_MAX - 9) / 10) bad("a dimension of the shape is too large");
        d = d * 10 + (s_[pos_++] - '0');
      }
      if (peek() == 'L') ++pos_;  // Python 2 long, as numpy.load accepts
      dims.push_back(d);
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != ')') bad("expected ',' or ')' in the shape");
      // "(5)" is an int in Python, not a tuple; numpy always writes "(5,)".
      if (dims.size() == 1) bad("a one-element shape needs a trailing comma, as in (5,)");
    }
    ++pos_;  // ')'
    return dims;
  }

  std::string_view s_;
  size_t pos_ = 0;
  const char* where_;
  const std::string& path_;
};

// Validates magic, version, header and data size; `itemsize` is that of the accepted descr.
NpyHeader read_npy(std::string_view bytes, const char* where, const std::string& path,
                   const std::vector<std::pair<std::string_view, size_t>>& accepted) {
  if (bytes.size() < kMagic.size() + 2 || bytes.substr(0, 6) != kMagic)
    fail(where, path, "bad magic: not a .npy file (it must start with \"\\x93NUMPY\")");
  const int major = static_cast<unsigned char>(bytes[6]);
  const int minor = static_cast<unsigned char>(bytes[7]);
  if (minor != 0 || major < 1 || major > 3)
    fail(where, path, "unsupported .npy format version ", major, ".", minor,
         " (1.0, 2.0 and 3.0 are read)");
  const size_t len_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + len_bytes) fail(where, path, "truncated before the header length");
  const uint64_t header_len = load_le(bytes.data() + 8, static_cast<int>(len_bytes));
  const size_t header_start = 8 + len_bytes;
  if (header_len > bytes.size() - header_start)
    fail(where, path, "header length ", header_len, " runs past the end of the file (",
         bytes.size(), " bytes)");

  NpyHeader h = DictParser(bytes.substr(header_start, header_len), where, path).parse();
  h.data_offset = header_start + header_len;
  if (h.fortran_order)
    fail(where, path, "fortran_order True is not supported (save a C-order array)");
  size_t itemsize = 0;
  std::string expected;
  for (const auto& [descr, size] : accepted) {
    if (h.descr == descr) itemsize = size;
    expected += (expected.empty() ? "'" : " or '") + std::string(descr) + "'";
  }
  if (itemsize == 0)
    fail(where, path, "unsupported dtype '", h.descr, "' (expected ", expected, ")");

  uint64_t want = itemsize;
  for (int64_t d : h.shape) {
    h.numel *= static_cast<uint64_t>(d);
    if (__builtin_mul_overflow(want, static_cast<uint64_t>(d), &want))
      fail(where, path, "the shape's byte size overflows");
  }
  const uint64_t have = bytes.size() - h.data_offset;
  if (have < want)
    fail(where, path, "truncated data: the shape needs ", want, " bytes, the file has ", have);
  if (have > want)
    fail(where, path, "size mismatch: the shape needs ", want, " bytes of data, the file has ",
         have);
  return h;
}

std::string shape_repr(const Tensor& t) {
  std::string s = "(";
  for (int d = 0; d < t.dim(); ++d)
    s += (d ? ", " : "") + std::to_string(t.size(d));
  return s + (t.dim() == 1 ? ",)" : ")");
}

}  // namespace

void save_npy(const std::string& path, const Tensor& t) {
  check_arg(t.defined(), "save_npy", "tensor is undefined");
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape_repr(t) + ", }";
  if (t.dim() > 0) dict.append(kGrowthAxisDigits - std::to_string(t.size(0)).size(), ' ');
  const size_t hlen = dict.size() + 1;                                     // + '\n'
  const size_t padlen = kAlign - (kMagic.size() + 2 + 2 + hlen) % kAlign;  // 1..64, as numpy
  const size_t header_len = hlen + padlen;
  GAT_ASSERT(header_len <= 0xffff, "npy header of ", header_len, " bytes");

  std::string out;
  out.reserve(10 + header_len + t.nbytes());
  out += kMagic;
  out += '\x01';
  out += '\x00';
  char len[2];
  store_le(len, header_len, 2);
  out.append(len, 2);
  out += dict;
  out.append(padlen, ' ');
  out += '\n';
  const size_t data_at = out.size();
  out.resize(data_at + t.nbytes());
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(out.data() + data_at, t.data(), t.nbytes());
  } else {
    for (int64_t i = 0; i < t.numel(); ++i)
      store_le(out.data() + data_at + 4 * i, std::bit_cast<uint32_t>(t.data()[i]), 4);
  }
  write_file_atomic(path, out);
}

namespace {

// load_npy_f32 and parse_npy_f32; `where` is the public function's name, for messages.
Tensor parse_f32(std::string_view bytes, const char* where, const std::string& path) {
  const NpyHeader h = read_npy(bytes, where, path, {{"<f4", 4}, {"<f8", 8}});
  if (h.shape.size() > static_cast<size_t>(Shape::kMaxDims))
    fail(where, path, h.shape.size(), "-d array (gat::Tensor holds at most ", Shape::kMaxDims,
         " dimensions)");
  Tensor t = Tensor::empty(Shape(h.shape));
  const char* p = bytes.data() + h.data_offset;
  float* dst = t.data();
  if (h.descr == "<f4") {
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(dst, p, h.numel * sizeof(float));
    } else {
      for (uint64_t i = 0; i < h.numel; ++i)
        dst[i] = std::bit_cast<float>(static_cast<uint32_t>(load_le(p + 4 * i, 4)));
    }
  } else {
    for (uint64_t i = 0; i < h.numel; ++i)
      dst[i] = static_cast<float>(std::bit_cast<double>(load_le(p + 8 * i, 8)));
  }
  return t;
}

// load_npy_i64 and parse_npy_i64.
std::vector<int64_t> parse_i64(std::string_view bytes, const char* where, const std::string& path,
                               std::vector<int64_t>* shape) {
  const NpyHeader h = read_npy(bytes, where, path, {{"<i8", 8}, {"<i4", 4}});
  std::vector<int64_t> out(h.numel);
  const char* p = bytes.data() + h.data_offset;
  if (h.descr == "<i8") {
    for (uint64_t i = 0; i < h.numel; ++i)
      out[i] = static_cast<int64_t>(load_le(p + 8 * i, 8));
  } else {
    for (uint64_t i = 0; i < h.numel; ++i)
      out[i] = static_cast<int32_t>(static_cast<uint32_t>(load_le(p + 4 * i, 4)));
  }
  if (shape) *shape = h.shape;
  return out;
}

}  // namespace

Tensor load_npy_f32(const std::string& path) {
  return parse_f32(read_file(path), "load_npy_f32", path);
}

Tensor parse_npy_f32(std::string_view bytes, const std::string& name) {
  return parse_f32(bytes, "parse_npy_f32", name);
}

std::vector<int64_t> load_npy_i64(const std::string& path, std::vector<int64_t>* shape) {
  return parse_i64(read_file(path), "load_npy_i64", path, shape);
}

std::vector<int64_t> parse_npy_i64(std::string_view bytes, const std::string& name,
                                   std::vector<int64_t>* shape) {
  return parse_i64(bytes, "parse_npy_i64", name, shape);
}

}  // namespace gat::io

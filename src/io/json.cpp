#include "gat/io/json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>
#include <unordered_set>

namespace gat::json {

namespace {

// The two-character escapes of RFC 8259: "\x" stands for kEscapedChars[kEscapeLetters.find(x)].
// dump() writes all of them except "\/" ('/' needs no escape).
constexpr std::string_view kEscapeLetters = "\"\\/bfnrt";
constexpr std::string_view kEscapedChars = "\"\\/\b\f\n\r\t";

// A key or byte shown in a message: printable ASCII and UTF-8 as is, other bytes as \xNN.
std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool is_identifier(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (char c : key) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string key_path(const std::string& parent, std::string_view key) {
  if (is_identifier(key)) return parent + "." + std::string(key);
  return parent + "[\"" + printable(key) + "\"]";
}

std::string index_path(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when the bytes there are not one.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) -> int {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : -1;
  };
  auto in = [](int b, int lo, int hi) { return b >= lo && b <= hi; };
  const int b0 = byte(0);
  if (in(b0, 0x00, 0x7f)) return 1;
  if (in(b0, 0xc2, 0xdf)) return in(byte(1), 0x80, 0xbf) ? 2 : 0;
  if (in(b0, 0xe0, 0xef)) {
    const int lo = b0 == 0xe0 ? 0xa0 : 0x80;  // 0xe0 80..9f would be overlong
    const int hi = b0 == 0xed ? 0x9f : 0xbf;  // 0xed a0..bf would be a surrogate
    return in(byte(1), lo, hi) && in(byte(2), 0x80, 0xbf) ? 3 : 0;
  }
  if (in(b0, 0xf0, 0xf4)) {
    const int lo = b0 == 0xf0 ? 0x90 : 0x80;  // overlong below U+10000
    const int hi = b0 == 0xf4 ? 0x8f : 0xbf;  // above U+10FFFF
    return in(byte(1), lo, hi) && in(byte(2), 0x80, 0xbf) && in(byte(3), 0x80, 0xbf) ? 4 : 0;
  }
  return 0;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

}  // namespace

const char* type_name(Type type) {
  constexpr const char* kNames[] = {"null", "bool", "number", "string", "array", "object"};
  return kNames[static_cast<int>(type)];
}

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// ---- Value ----------------------------------------------------------------------------------

Value::Value(float f) : data_(static_cast<double>(f)) {
  if (!std::isfinite(f)) return;  // dump() rejects it as it does a non-finite double
  char buf[32];
  const auto written = std::to_chars(buf, buf + sizeof buf, f);  // shortest form of the float
  double d = 0;
  const auto read = std::from_chars(buf, written.ptr, d);
  // Narrowing the decimal's double could in principle round to a neighbouring float (the double
  // lands on a tie between two floats); then the exact widening is kept, which reads back right.
  if (read.ec == std::errc() && static_cast<float>(d) == f) data_ = d;
}

Value& Value::operator=(const Value& o) {
  if (this != &o) {
    auto copy = o.data_;  // o may live inside this value
    data_ = std::move(copy);
  }
  return *this;
}

Value& Value::operator=(Value&& o) noexcept {
  if (this != &o) {
    auto moved = std::move(o.data_);  // o may live inside this value
    data_ = std::move(moved);
  }
  return *this;
}

Value Value::object() {
  Value v;
  v.data_ = Object{};
  return v;
}

Value Value::array() {
  Value v;
  v.data_ = Array{};
  return v;
}

Type Value::type() const {
  // Indexed by the alternatives of data_: null, bool, int64, double, string, Array, Object.
  constexpr Type kTypes[] = {Type::kNull,   Type::kBool,  Type::kNumber, Type::kNumber,
                             Type::kString, Type::kArray, Type::kObject};
  return kTypes[data_.index()];
}

void Value::type_error(const char* expected) const {
  throw JsonError(
      detail::concat("json: ", path(), ": expected ", expected, ", got ", type_name(type())));
}

bool Value::as_bool() const {
  if (const bool* b = std::get_if<bool>(&data_)) return *b;
  type_error("bool");
}

int64_t Value::as_int() const {
  if (const int64_t* i = std::get_if<int64_t>(&data_)) return *i;
  if (const double* d = std::get_if<double>(&data_)) {
    // 2^63 is exactly representable; every double in [-2^63, 2^63) with no fraction is an int64.
    if (std::isfinite(*d) && std::trunc(*d) == *d && *d >= -9223372036854775808.0 &&
        *d < 9223372036854775808.0)
      return static_cast<int64_t>(*d);
    throw JsonError(detail::concat("json: ", path(), ": expected an integer, got ", *d));
  }
  type_error("integer");
}

double Value::as_double() const {
  if (const double* d = std::get_if<double>(&data_)) return *d;
  if (const int64_t* i = std::get_if<int64_t>(&data_)) return static_cast<double>(*i);
  type_error("number");
}

const std::string& Value::as_string() const {
  if (const std::string* s = std::get_if<std::string>(&data_)) return *s;
  type_error("string");
}

const Value& Value::at(std::string_view key) const {
  const Object* o = std::get_if<Object>(&data_);
  if (!o) type_error("object");
  for (const auto& [k, v] : *o)
    if (k == key) return v;
  throw JsonError(detail::concat("json: ", path(), ": missing key \"", printable(key), "\""));
}

Value& Value::at(std::string_view key) {
  return const_cast<Value&>(static_cast<const Value&>(*this).at(key));
}

void Value::negative_index(int64_t index) const {
  throw JsonError(detail::concat("json: ", path(), ": negative index ", index));
}

const Value& Value::element_at(uint64_t index) const {
  const Array* a = std::get_if<Array>(&data_);
  if (!a) type_error("array");
  if (index >= a->size())
    throw JsonError(detail::concat("json: ", path(), ": index ", index,
                                   " out of range for an array of ", a->size()));
  return (*a)[static_cast<size_t>(index)];
}

bool Value::contains(std::string_view key) const {
  const Object* o = std::get_if<Object>(&data_);
  if (!o) type_error("object");
  for (const auto& member : *o)
    if (member.first == key) return true;
  return false;
}

size_t Value::size() const {
  if (const Array* a = std::get_if<Array>(&data_)) return a->size();
  if (const Object* o = std::get_if<Object>(&data_)) return o->size();
  type_error("array or object");
}

Value& Value::operator[](std::string_view key) {
  if (is_null()) data_ = Object{};
  Object* o = std::get_if<Object>(&data_);
  if (!o) type_error("object");
  for (auto& [k, v] : *o)
    if (k == key) return v;
  o->emplace_back(std::string(key), Value());
  o->back().second.path_ = key_path(path_, key);
  return o->back().second;
}

void Value::push_back(Value v) {
  if (is_null()) data_ = Array{};
  Array* a = std::get_if<Array>(&data_);
  if (!a) type_error("array");
  v.path_ = index_path(path_, a->size());
  a->push_back(std::move(v));
}

const Object& Value::items() const {
  if (const Object* o = std::get_if<Object>(&data_)) return *o;
  type_error("object");
}

const Array& Value::elements() const {
  if (const Array* a = std::get_if<Array>(&data_)) return *a;
  type_error("array");
}

bool operator==(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Type::kNull:
      return true;
    case Type::kBool:
      return a.as_bool() == b.as_bool();
    case Type::kNumber:
      if (a.is_int() && b.is_int()) return a.as_int() == b.as_int();
      return a.as_double() == b.as_double();
    case Type::kString:
      return a.as_string() == b.as_string();
    case Type::kArray:
      return a.elements() == b.elements();
    case Type::kObject: {
      const Object& oa = a.items();
      const Object& ob = b.items();
      if (oa.size() != ob.size()) return false;
      for (const auto& [k, v] : oa)
        if (!b.contains(k) || !(b.at(k) == v)) return false;
      return true;
    }
  }
  return false;
}

// ---- parse ----------------------------------------------------------------------------------

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Value document() {
    skip_ws();
    Value v = value(std::string(), 0);
    skip_ws();
    if (pos_ < s_.size()) fail(pos_, "unexpected " + what_is_at(pos_) + " after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(size_t at, const std::string& what) const {
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < at && i < s_.size(); ++i)
      if (s_[i] == '\n') ++line, line_start = i + 1;
    throw JsonError(
        detail::concat("json: line ", line, ", column ", at - line_start + 1, ": ", what));
  }

  std::string what_is_at(size_t at) const {
    if (at >= s_.size()) return "end of input";
    std::string quoted = printable(s_.substr(at, 1));
    quoted.insert(quoted.begin(), '\'');
    quoted.push_back('\'');
    return quoted;
  }

  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }

  Value value(std::string path, int depth) {
    if (pos_ >= s_.size()) fail(pos_, "unexpected end of input, expected a value");
    Value v;
    const char c = s_[pos_];
    if (c == '{') {
      v = object(path, depth + 1);
    } else if (c == '[') {
      v = array(path, depth + 1);
    } else if (c == '"') {
      v.data_ = string();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v = number();
    } else if (c == 't' || c == 'f' || c == 'n') {
      v = literal();
    } else {
      fail(pos_, "unexpected " + what_is_at(pos_) + ", expected a value");
    }
    v.path_ = std::move(path);
    return v;
  }

  Value object(const std::string& path, int depth) {
    if (depth > kMaxDepth) fail(pos_, "nesting deeper than " + std::to_string(kMaxDepth));
    ++pos_;  // '{'
    Object members;
    std::unordered_set<std::string> seen;  // used once the object is too big for a linear scan
    constexpr size_t kLinear = 16;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return from(std::move(members));
    }
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') {
        if (pos_ < s_.size() && s_[pos_] == '}' && !members.empty())
          fail(pos_, "trailing comma before '}'");
        fail(pos_, "expected a string key, found " + what_is_at(pos_));
      }
      const size_t key_at = pos_;
      std::string key = string();
      bool duplicate = false;
      if (members.size() < kLinear) {
        for (const auto& m : members)
          duplicate = duplicate || m.first == key;
      } else {
        if (seen.empty())
          for (const auto& m : members)
            seen.insert(m.first);
        duplicate = !seen.insert(key).second;
      }
      if (duplicate) fail(key_at, "duplicate key \"" + printable(key) + "\"");
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':')
        fail(pos_, "expected ':' after a key, found " + what_is_at(pos_));
      ++pos_;
      skip_ws();
      Value child = value(key_path(path, key), depth);
      members.emplace_back(std::move(key), std::move(child));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return from(std::move(members));
      }
      fail(pos_, "expected ',' or '}' in an object, found " + what_is_at(pos_));
    }
  }

  Value array(const std::string& path, int depth) {
    if (depth > kMaxDepth) fail(pos_, "nesting deeper than " + std::to_string(kMaxDepth));
    ++pos_;  // '['
    Array elements;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return from(std::move(elements));
    }
    for (;;) {
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ']' && !elements.empty())
        fail(pos_, "trailing comma before ']'");
      elements.push_back(value(index_path(path, elements.size()), depth));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return from(std::move(elements));
      }
      fail(pos_, "expected ',' or ']' in an array, found " + what_is_at(pos_));
    }
  }

  template <typename T>
  static Value from(T contents) {
    Value v;
    v.data_ = std::move(contents);
    return v;
  }

  uint32_t hex4(size_t at) {
    if (at + 4 > s_.size()) fail(at, "truncated \\u escape");
    uint32_t cp = 0;
    for (size_t i = at; i < at + 4; ++i) {
      const char c = s_[i];
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) fail(i, "invalid hex digit " + what_is_at(i) + " in a \\u escape");
      cp = cp * 16 + static_cast<uint32_t>(d);
    }
    return cp;
  }

  std::string string() {
    const size_t start = pos_;
    ++pos_;  // '"'
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail(start, "unterminated string");
      const unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%04X", c);
        fail(pos_, std::string("unescaped control character U+") + buf + " in a string");
      }
      if (c == '\\') {
        escape(out);
        continue;
      }
      const size_t n = utf8_sequence_length(s_, pos_);
      if (n == 0) fail(pos_, "invalid UTF-8 in a string");
      out.append(s_.substr(pos_, n));
      pos_ += n;
    }
  }

  void escape(std::string& out) {
    const size_t at = pos_;
    if (pos_ + 1 >= s_.size()) fail(at, "unterminated string");
    const char e = s_[pos_ + 1];
    pos_ += 2;
    if (e != 'u') {
      const size_t k = kEscapeLetters.find(e);
      if (k == std::string_view::npos)
        fail(at, "invalid escape '\\" + printable(std::string_view(&e, 1)) + "'");
      out += kEscapedChars[k];
      return;
    }
    uint32_t cp = hex4(pos_);
    pos_ += 4;
    if (cp >= 0xdc00 && cp <= 0xdfff) fail(at, "unpaired low surrogate in a \\u escape");
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (pos_ + 1 >= s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u')
        fail(at, "high surrogate not followed by a low surrogate \\u escape");
      const uint32_t lo = hex4(pos_ + 2);
      if (lo < 0xdc00 || lo > 0xdfff)
        fail(at, "high surrogate not followed by a low surrogate \\u escape");
      pos_ += 6;
      cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    append_utf8(out, cp);
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  Value number() {
    const size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    const size_t int_start = pos_;
    if (pos_ >= s_.size() || !digit(s_[pos_])) fail(pos_, "expected a digit after '-'");
    if (s_[pos_] == '0') {
      ++pos_;
      if (pos_ < s_.size() && digit(s_[pos_])) fail(start, "leading zeros are not allowed");
    } else {
      while (pos_ < s_.size() && digit(s_[pos_]))
        ++pos_;
    }
    const std::string_view int_digits = s_.substr(int_start, pos_ - int_start);
    std::string_view frac_digits;
    bool integral = true;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      integral = false;
      const size_t f = ++pos_;
      while (pos_ < s_.size() && digit(s_[pos_]))
        ++pos_;
      if (pos_ == f) fail(pos_, "expected a digit after '.'");
      frac_digits = s_.substr(f, pos_ - f);
    }
    int64_t exponent = 0;
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      bool negative = false;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) negative = s_[pos_++] == '-';
      const size_t e = pos_;
      while (pos_ < s_.size() && digit(s_[pos_])) {
        if (exponent < 1'000'000'000) exponent = exponent * 10 + (s_[pos_] - '0');
        ++pos_;
      }
      if (pos_ == e) fail(pos_, "expected a digit in the exponent");
      if (negative) exponent = -exponent;
    }
    const char* first = s_.data() + start;
    const char* last = s_.data() + pos_;
    if (integral) {
      int64_t i = 0;
      auto [ptr, ec] = std::from_chars(first, last, i);
      if (ec == std::errc() && ptr == last) return Value(i);
      // Beyond int64: kept as the nearest double.
    }
    double d = 0;
    auto [ptr, ec] = std::from_chars(first, last, d);
    if (ec == std::errc::result_out_of_range) {
      // Too large or too small for a double. The decimal magnitude of the first significant
      // digit tells which: below 1 means underflow, read as ±0 (as Python and JavaScript do).
      int64_t magnitude = 0;
      const size_t nz = int_digits.find_first_not_of('0');
      if (nz != std::string_view::npos) {
        magnitude = static_cast<int64_t>(int_digits.size()) - 1 + exponent;
      } else {
        magnitude = -static_cast<int64_t>(frac_digits.find_first_not_of('0')) - 1 + exponent;
      }
      if (magnitude >= 0)
        fail(start, "number " + std::string(first, last) + " is out of the range of a double");
      return Value(s_[start] == '-' ? -0.0 : 0.0);
    }
    if (ec != std::errc() || ptr != last) fail(start, "invalid number");
    return Value(d);
  }

  Value literal() {
    for (const auto& [word, v] : {std::pair<std::string_view, Value>{"true", Value(true)},
                                  {"false", Value(false)},
                                  {"null", Value()}}) {
      if (s_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return v;
      }
    }
    fail(pos_, "invalid literal (expected true, false or null)");
  }

  std::string_view s_;
  size_t pos_ = 0;
};

Value parse(std::string_view text) {
  return Parser(text).document();
}

// ---- dump -----------------------------------------------------------------------------------

namespace {

void dump_string(const std::string& s, const Value& where, std::string& out) {
  if (!is_valid_utf8(s))
    throw JsonError(detail::concat("json::dump: ", where.path(), ": string is not valid UTF-8"));
  out += '"';
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    const size_t k = kEscapedChars.find(ch);
    if (k != std::string_view::npos && ch != '/') {
      out += '\\';
      out += kEscapeLetters[k];
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += '"';
}

void dump_number(const Value& v, std::string& out) {
  char buf[32];
  if (v.is_int()) {
    auto r = std::to_chars(buf, buf + sizeof buf, v.as_int());
    out.append(buf, r.ptr);
    return;
  }
  const double d = v.as_double();
  if (!std::isfinite(d))
    throw JsonError(detail::concat("json::dump: ", v.path(), ": ", d, " is not a JSON number"));
  auto r = std::to_chars(buf, buf + sizeof buf, d);  // shortest form that reads back exactly
  const std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
  out += text;
  if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";  // stay a double
}

void newline(std::string& out, int indent, int level) {
  out += '\n';
  out.append(static_cast<size_t>(indent) * static_cast<size_t>(level), ' ');
}

void dump_value(const Value& v, int indent, int level, std::string& out) {
  switch (v.type()) {
    case Type::kNull:
      out += "null";
      return;
    case Type::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case Type::kNumber:
      dump_number(v, out);
      return;
    case Type::kString:
      dump_string(v.as_string(), v, out);
      return;
    case Type::kArray: {
      const Array& a = v.elements();
      out += '[';
      for (size_t i = 0; i < a.size(); ++i) {
        if (i) out += ',';
        if (indent >= 0) newline(out, indent, level + 1);
        dump_value(a[i], indent, level + 1, out);
      }
      if (indent >= 0 && !a.empty()) newline(out, indent, level);
      out += ']';
      return;
    }
    case Type::kObject: {
      const Object& o = v.items();
      out += '{';
      for (size_t i = 0; i < o.size(); ++i) {
        if (i) out += ',';
        if (indent >= 0) newline(out, indent, level + 1);
        dump_string(o[i].first, o[i].second, out);
        out += indent >= 0 ? ": " : ":";
        dump_value(o[i].second, indent, level + 1, out);
      }
      if (indent >= 0 && !o.empty()) newline(out, indent, level);
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string dump(const Value& v, int indent) {
  std::string out;
  dump_value(v, indent, 0, out);
  return out;
}

}  // namespace gat::json

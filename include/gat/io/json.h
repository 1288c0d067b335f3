// gat/io/json.h — a small JSON value (RFC 8259) for checkpoint metadata, safetensors headers and
// the tool's --json outputs.
//
// A json::Value is null, a bool, a number, a string, an array or an object. Objects keep their
// keys in insertion order (and parse() keeps the file's order), so what is dumped is what was
// built. parse() is strict RFC 8259; dump() writes text that parse() reads back to an equal value.
//
// Format decisions:
//  * Numbers. A literal without fraction or exponent that fits in int64 is stored as an integer
//    (is_int()), so every int64, 2^63 − 1 included, round-trips exactly; any other literal is a
//    double (an integer literal beyond int64 too). dump() prints integers without a decimal
//    point, and doubles in the shortest form that reads back to the same bits (std::to_chars),
//    with ".0" appended when that form looks like an integer ("3.0", "-0.0"), so a double stays a
//    double through dump → parse and -0.0 keeps its sign. An underflowing literal (1e-400) reads
//    as ±0.0, as in Python and JavaScript; an overflowing one (1e400) is an error.
//  * A float is stored as the double nearest to its shortest decimal form (0.6f as 0.6, not
//    0.6000000238418579), so dump() prints what the float was set to, and that text read back
//    and narrowed to float gives the same float bits. Options and hyper-parameters are floats;
//    their exact double expansion is noise in a config file.
//  * NaN and infinities are not JSON: parse() has no literal for them and dump() throws.
//  * Strings are UTF-8. parse() rejects invalid UTF-8 and unpaired surrogates, turns \uXXXX
//    escapes (surrogate pairs included) into UTF-8, and accepts \u0000. dump() escapes '"', '\\'
//    and the control characters below 0x20 (\b \f \n \r \t, otherwise \u00XX), passes all other
//    UTF-8 through unchanged, and throws on a string that is not valid UTF-8.
//  * parse() rejects trailing garbage, leading zeros ("01"), trailing commas, a duplicate key in
//    one object, and nesting deeper than kMaxDepth. Its errors name the line and column (1-based,
//    the column counted in bytes).
//  * dump(v) is compact ({"a":1,"b":[true,null]}, as serde_json and Python's
//    separators=(',', ':') write it); dump(v, 2) is pretty, like Python's json.dumps(indent=2).
//  * Every error is a json::JsonError, a gat::IoError. Accessors name the path of the value
//    (.tensors["a b"].shape[1]) and the expected and actual types. The path is where parse()
//    found the value, or the key / index that operator[] or push_back() stored it under
//    (relative to its container's own path at that moment).
//
// Example (compiled in tests/io/test_json.cpp):
//
//   gat::json::Value meta = gat::json::Value::object();
//   meta["epoch"] = 12;
//   meta["lr"] = 0.005f;  // a float dumps in its shortest form: 0.005
//   meta["layers"].push_back("GATConv(1433, 8, heads=8)");
//   std::string text = gat::json::dump(meta);  // {"epoch":12,"lr":0.005,"layers":["GATConv(...)"]}
//   gat::json::Value back = gat::json::parse(text);
//   int64_t epoch = back.at("epoch").as_int();  // 12
//   back.at("lr").as_string();                  // throws: .lr: expected string, got number
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "gat/core/error.h"

namespace gat::json {

/// Containers may nest at most this deep in parse() (deeper input is an error, not a crash).
inline constexpr int kMaxDepth = 512;

/// Every error of this header: a malformed text, a type mismatch, a missing key.
class JsonError : public IoError {
 public:
  using IoError::IoError;
};

enum class Type : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
/// "null", "bool", "number", "string", "array", "object".
const char* type_name(Type type);

/// The integer types a Value is built from (bool has its own constructor).
template <typename T>
concept NonBoolIntegral = std::integral<T> && !std::same_as<T, bool>;

class Value;
using Array = std::vector<Value>;
using Object = std::vector<std::pair<std::string, Value>>;

class Value {
 public:
  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : data_(b) {}
  /// Any integer type except bool. An unsigned value above INT64_MAX throws JsonError.
  template <NonBoolIntegral T>
  Value(T i) : data_(checked_int(i)) {}
  Value(double d) : data_(d) {}
  /// Stored as a double that dumps as the float's shortest decimal form; see the overview.
  Value(float f);
  Value(const char* s) : data_(std::string(s)) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(std::string_view s) : data_(std::string(s)) {}

  Value(const Value&) = default;
  Value(Value&&) noexcept = default;
  /// Assignment replaces the contents and keeps this value's own path (the slot's position).
  Value& operator=(const Value& o);
  Value& operator=(Value&& o) noexcept;

  static Value object();
  static Value array();

  Type type() const;
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_number() const { return type() == Type::kNumber; }
  /// A number stored as an integer (its literal had no fraction or exponent).
  bool is_int() const { return std::holds_alternative<int64_t>(data_); }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  bool as_bool() const;
  /// An integer, or a double with an integral value in [-2^63, 2^63); anything else throws.
  int64_t as_int() const;
  double as_double() const;
  const std::string& as_string() const;

  /// Object member; throws when this is not an object or the key is missing.
  const Value& at(std::string_view key) const;
  Value& at(std::string_view key);
  /// Array element; throws when this is not an array or the index is negative or ≥ size().
  /// (A template, so that at(0) picks this overload rather than the string key.)
  template <NonBoolIntegral I>
  const Value& at(I index) const {
    if (std::cmp_less(index, 0)) negative_index(static_cast<int64_t>(index));
    return element_at(static_cast<uint64_t>(index));
  }
  template <NonBoolIntegral I>
  Value& at(I index) {
    return const_cast<Value&>(static_cast<const Value&>(*this).at(index));
  }
  /// Whether an object has the key; throws when this is not an object.
  bool contains(std::string_view key) const;
  /// Elements of an array or members of an object; throws for other types.
  size_t size() const;

  /// Object member, inserted as null at the end when missing. A null value becomes an empty
  /// object first; any other non-object throws.
  Value& operator[](std::string_view key);
  /// Appends to an array. A null value becomes an empty array first; any other non-array throws.
  void push_back(Value v);

  /// The members of an object in order / the elements of an array; throw for other types.
  const Object& items() const;
  const Array& elements() const;

  /// Where this value sits, for messages: "." for the root, ".a.b[2]", .["key with spaces"].
  std::string path() const { return path_.empty() ? "." : path_; }

  /// Same type and contents. Numbers compare by value (1 == 1.0); objects compare member by
  /// member regardless of order. Paths are ignored.
  friend bool operator==(const Value& a, const Value& b);

 private:
  friend class Parser;
  template <typename T>
  static int64_t checked_int(T i) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(int64_t)) {
      if (i > static_cast<T>(INT64_MAX))
        throw JsonError(detail::concat("json::Value: integer ", i, " exceeds int64"));
    }
    return static_cast<int64_t>(i);
  }
  [[noreturn]] void type_error(const char* expected) const;
  [[noreturn]] void negative_index(int64_t index) const;
  const Value& element_at(uint64_t index) const;

  std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array, Object> data_;
  std::string path_;
};

/// Parses one JSON text (RFC 8259). Errors: JsonError "json: line L, column C: <problem>".
Value parse(std::string_view text);

/// Serialises v: indent < 0 compact on one line, indent ≥ 0 pretty with that many spaces per
/// level. Throws JsonError for a non-finite double or a string that is not valid UTF-8.
std::string dump(const Value& v, int indent = -1);

/// Whether s is well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s);

}  // namespace gat::json

// gat/io/json.h — JSON for checkpoint configs, safetensors headers and the tool's --json output:
// nlohmann-json's value type with the checks gat.cpp adds at its edges.
//
// gat::Json is nlohmann::ordered_json (objects keep insertion order, so what is dumped is what
// was built, and a parsed object keeps the file's order) with one change of serializer: a float
// is stored as the double nearest to its shortest decimal form, so 0.6f dumps as 0.6 rather than
// 0.6000000238418579, and that text read back and narrowed to float gives the same float bits.
// Options and hyper-parameters are floats; their exact double expansion is noise in a config.
//
// What this header adds to nlohmann-json:
//  * parse(text, what): nlohmann's strict RFC 8259 parser (invalid UTF-8, trailing garbage,
//    leading zeros, trailing commas and comments are errors), plus two checks of our own: a key
//    repeated in one object is an error (nlohmann would keep one silently; a safetensors header
//    with two entries for one tensor is hostile), and containers nest at most kMaxDepth deep.
//    Errors are JsonError "<what>: line L, column C: <problem>" or name the object's path.
//  * dump(v, indent): nlohmann's dump, with its error for a string that is not UTF-8 turned into
//    a JsonError. NaN and infinities dump as null (nlohmann's choice; JSON has no literal for
//    them).
//  * Fields: typed reads of an object's members whose errors name where the object came from,
//    the key and what was wrong: "model.safetensors: gat.config: "heads" must be an integer,
//    got string "8"". Readers of files use it rather than nlohmann's get<T>(), whose errors name
//    neither.
//
// Example (compiled in tests/io/test_json.cpp):
//
//   gat::Json meta = {{"epoch", 12}, {"lr", 0.005f}};
//   meta["layers"].push_back("GATConv(1433, 8, heads=8)");
//   std::string text = gat::json::dump(meta);  // {"epoch":12,"lr":0.005,"layers":["GATConv(...)"]}
//   gat::Json back = gat::json::parse(text, "meta.json");
//   gat::json::Fields f(back, "meta.json");
//   int64_t epoch = f.integer("epoch");  // 12
//   f.string("lr");  // throws JsonError: meta.json: "lr" must be a string, got number 0.005
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "gat/core/error.h"

namespace gat {

namespace json {

/// nlohmann's serializer for every type but float; see the overview.
template <typename T, typename = void>
struct Serializer : nlohmann::adl_serializer<T> {};

/// The double whose shortest decimal form is the float's (0.6f → 0.6).
double shortest_double(float f);

template <>
struct Serializer<float> {
  template <typename J>
  static void to_json(J& j, float f) {
    j = shortest_double(f);
  }
  template <typename J>
  static void from_json(const J& j, float& f) {
    f = static_cast<float>(j.template get<double>());
  }
};

}  // namespace json

/// A JSON value: nlohmann::ordered_json with json::Serializer.
using Json = nlohmann::basic_json<nlohmann::ordered_map, std::vector, std::string, bool,
                                  std::int64_t, std::uint64_t, double, std::allocator,
                                  json::Serializer, std::vector<std::uint8_t>>;

namespace json {

/// Containers may nest at most this deep in parse() (deeper input is an error, not a crash).
inline constexpr int kMaxDepth = 512;

/// Every error of this header: a malformed text, a repeated key, a missing or mistyped field.
class JsonError : public IoError {
 public:
  using IoError::IoError;
};

/// Parses one JSON text; `what` (a file name, "gat.config") starts every error message.
Json parse(std::string_view text, std::string_view what);

/// Serialises v: indent < 0 compact on one line, indent ≥ 0 pretty with that many spaces per
/// level. Throws JsonError for a string that is not valid UTF-8.
std::string dump(const Json& v, int indent = -1);

/// v in a few words for messages: a type and, for scalars, the value (string "8", number 0.5).
std::string describe(const Json& v);

/// Typed reads of the members of one JSON object. Every error is a JsonError that starts with
/// `where` and names the key.
class Fields {
 public:
  /// Throws JsonError when v is not an object.
  Fields(const Json& v, std::string where);

  bool has(std::string_view key) const;
  /// The member; throws when it is missing.
  const Json& at(std::string_view key) const;

  /// An integer: a number without fraction (8, or 8.0 as Python writes floats that are whole).
  int64_t integer(std::string_view key) const;
  int64_t integer(std::string_view key, int64_t fallback) const;
  /// Any finite number, narrowed to float.
  float real(std::string_view key) const;
  float real(std::string_view key, float fallback) const;
  bool boolean(std::string_view key) const;
  bool boolean(std::string_view key, bool fallback) const;
  std::string string(std::string_view key) const;
  std::string string(std::string_view key, const std::string& fallback) const;

  const std::string& where() const { return where_; }

 private:
  [[noreturn]] void wrong(std::string_view key, const char* expected) const;
  const Json* find(std::string_view key) const;

  const Json& object_;
  std::string where_;
};

}  // namespace json
}  // namespace gat

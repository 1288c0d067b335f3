#include "gat/io/json.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <set>

namespace gat::json {

double shortest_double(float f) {
  char buf[64];
  const auto end = std::to_chars(buf, buf + sizeof buf, f).ptr;
  double d = 0;
  std::from_chars(buf, end, d);
  return std::isfinite(f) ? d : static_cast<double>(f);
}

namespace {

// nlohmann's messages start with "[json.exception.<kind>.<id>] " and, for parse errors,
// "parse error at "; the rest ("line 1, column 2: syntax error ...") is what a reader needs.
std::string strip_prefix(const char* what) {
  std::string s = what;
  if (s.rfind("[json.exception.", 0) == 0) {
    const size_t close = s.find("] ");
    if (close != std::string::npos) s.erase(0, close + 2);
  }
  for (const char* p : {"parse error at ", "parse error: "})
    if (s.rfind(p, 0) == 0) s.erase(0, std::string_view(p).size());
  return s;
}

// One open container while parsing: the keys an object has had so far, and where its current
// child sits (the last key, or the array index), for the path in messages.
struct Frame {
  bool is_object = false;
  std::set<std::string> keys;
  std::string key;
  int64_t index = 0;
};

std::string path_of(const std::vector<Frame>& stack) {
  std::string path;
  for (size_t k = 0; k + 1 < stack.size(); ++k)
    path += stack[k].is_object ? "." + stack[k].key : "[" + std::to_string(stack[k].index) + "]";
  return path.empty() ? "the top level" : path;
}

}  // namespace

Json parse(std::string_view text, std::string_view what) {
  std::vector<Frame> stack;
  auto after_element = [&stack] {
    if (!stack.empty() && !stack.back().is_object) ++stack.back().index;
  };
  const Json::parser_callback_t callback = [&](int depth, Json::parse_event_t event, Json& parsed) {
    using Event = Json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        if (depth >= kMaxDepth)
          throw JsonError(
              detail::concat(what, ": containers nest deeper than ", kMaxDepth, " levels"));
        stack.emplace_back().is_object = event == Event::object_start;
        break;
      case Event::key: {
        Frame& top = stack.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second)
          throw JsonError(detail::concat(what, ": key ", Json(top.key).dump(),
                                         " appears twice in the object at ", path_of(stack)));
        break;
      }
      case Event::object_end:
      case Event::array_end:
        stack.pop_back();
        after_element();
        break;
      case Event::value:
        after_element();
        break;
    }
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), callback);
  } catch (const Json::exception& e) {
    // parse_error, and out_of_range 406 for a number beyond double's range (1e400).
    throw JsonError(detail::concat(what, ": ", strip_prefix(e.what())));
  }
}

std::string dump(const Json& v, int indent) {
  try {
    return v.dump(indent);
  } catch (const Json::type_error& e) {
    throw JsonError("json::dump: " + strip_prefix(e.what()));
  }
}

std::string describe(const Json& v) {
  if (v.is_object() || v.is_array() || v.is_null()) return v.type_name();
  std::string text = dump(v);
  if (text.size() > 40) {
    size_t cut = 37;  // not inside a UTF-8 sequence
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
      --cut;
    text = text.substr(0, cut) + "...";
  }
  return std::string(v.type_name()) + " " + text;
}

Fields::Fields(const Json& v, std::string where) : object_(v), where_(std::move(where)) {
  if (!v.is_object())
    throw JsonError(detail::concat(where_, ": expected a JSON object, got ", describe(v)));
}

const Json* Fields::find(std::string_view key) const {
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &*it;
}

bool Fields::has(std::string_view key) const {
  return find(key) != nullptr;
}

const Json& Fields::at(std::string_view key) const {
  const Json* v = find(key);
  if (!v) throw JsonError(detail::concat(where_, ": \"", key, "\" is missing"));
  return *v;
}

void Fields::wrong(std::string_view key, const char* expected) const {
  throw JsonError(
      detail::concat(where_, ": \"", key, "\" must be ", expected, ", got ", describe(at(key))));
}

int64_t Fields::integer(std::string_view key) const {
  const Json& v = at(key);
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      wrong(key, "an integer in int64's range");
    return static_cast<int64_t>(v.get<uint64_t>());
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    // Whole and inside [-2^63, 2^63): 9.3e18 as a double is not an int64.
    if (d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
      return static_cast<int64_t>(d);
  }
  wrong(key, "an integer");
}

int64_t Fields::integer(std::string_view key, int64_t fallback) const {
  return has(key) ? integer(key) : fallback;
}

float Fields::real(std::string_view key) const {
  const Json& v = at(key);
  if (!v.is_number()) wrong(key, "a number");
  const double d = v.get<double>();
  if (!(std::fabs(d) <= std::numeric_limits<float>::max())) wrong(key, "a number in float's range");
  return static_cast<float>(d);
}

float Fields::real(std::string_view key, float fallback) const {
  return has(key) ? real(key) : fallback;
}

bool Fields::boolean(std::string_view key) const {
  const Json& v = at(key);
  if (!v.is_boolean()) wrong(key, "true or false");
  return v.get<bool>();
}

bool Fields::boolean(std::string_view key, bool fallback) const {
  return has(key) ? boolean(key) : fallback;
}

std::string Fields::string(std::string_view key) const {
  const Json& v = at(key);
  if (!v.is_string()) wrong(key, "a string");
  return v.get<std::string>();
}

std::string Fields::string(std::string_view key, const std::string& fallback) const {
  return has(key) ? string(key) : fallback;
}

}  // namespace gat::json

#include "gat/io/json.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace gat {
namespace {

using json::JsonError;
using json::Value;

// The message of the JsonError fn() throws; a test failure when it throws nothing or another type.
template <typename F>
std::string json_error_of(F&& fn) {
  try {
    fn();
  } catch (const JsonError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "no json::JsonError thrown";
  return {};
}

void expect_contains(const std::string& what, const std::string& part) {
  EXPECT_NE(what.find(part), std::string::npos) << "'" << part << "' not in: " << what;
}

Value sample() {
  Value v = Value::object();
  v["name"] = "cora";
  v["epochs"] = 200;
  v["lr"] = 0.005;
  v["flags"].push_back(true);
  v["flags"].push_back(false);
  v["flags"].push_back(nullptr);
  v["empty_list"] = Value::array();
  v["empty_obj"] = Value::object();
  Value& model = v["model"];
  model["heads"] = 8;
  model["layers"].push_back(Value::object());
  model["layers"].at(0)["dropout"] = 0.6;
  model["layers"].push_back("GATConv");
  return v;
}

TEST(Json, RoundTripOfNestedValues) {
  const Value v = sample();
  const std::string compact = json::dump(v);
  EXPECT_EQ(compact,
            "{\"name\":\"cora\",\"epochs\":200,\"lr\":0.005,\"flags\":[true,false,null],"
            "\"empty_list\":[],\"empty_obj\":{},\"model\":{\"heads\":8,\"layers\":"
            "[{\"dropout\":0.6},\"GATConv\"]}}");
  EXPECT_EQ(compact.find('\n'), std::string::npos);
  for (int indent : {-1, 0, 2, 4}) {
    const Value back = json::parse(json::dump(v, indent));
    EXPECT_EQ(back, v) << "indent " << indent;
    EXPECT_EQ(json::dump(back), compact) << "key order must survive, indent " << indent;
  }
}

TEST(Json, PrettyPrintsLikePython) {
  Value v = Value::object();
  v["a"] = 1;
  v["b"].push_back(2.5);
  v["b"].push_back("x");
  v["c"] = Value::object();
  v["d"] = Value::array();
  // json.dumps({"a": 1, "b": [2.5, "x"], "c": {}, "d": []}, indent=2)
  EXPECT_EQ(json::dump(v, 2),
            "{\n  \"a\": 1,\n  \"b\": [\n    2.5,\n    \"x\"\n  ],\n  \"c\": {},\n  \"d\": []\n}");
  EXPECT_EQ(json::dump(v, 0), "{\n\"a\": 1,\n\"b\": [\n2.5,\n\"x\"\n],\n\"c\": {},\n\"d\": []\n}");
}

TEST(Json, IntegersAreExactInt64) {
  for (const char* text : {"0", "-1", "9007199254740993", "9223372036854775807",
                           "-9223372036854775808", "4294967296"}) {
    const Value v = json::parse(text);
    EXPECT_TRUE(v.is_int()) << text;
    EXPECT_EQ(json::dump(v), text);
  }
  EXPECT_EQ(json::parse("9223372036854775807").as_int(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(json::parse("-9223372036854775808").as_int(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(json::parse("9007199254740993").as_int(), int64_t{9007199254740993});

  // Beyond int64 the literal is a double; as_int() refuses it rather than wrap.
  const Value big = json::parse("9223372036854775808");
  EXPECT_FALSE(big.is_int());
  EXPECT_EQ(big.as_double(), 9223372036854775808.0);
  expect_contains(json_error_of([&] { big.as_int(); }), "expected an integer");

  EXPECT_EQ(Value(uint64_t{9223372036854775807u}).as_int(), std::numeric_limits<int64_t>::max());
  expect_contains(json_error_of([] { Value v(std::numeric_limits<uint64_t>::max()); }),
                  "exceeds int64");

  // A fraction or an exponent makes a double, even with an integral value.
  EXPECT_FALSE(json::parse("3.0").is_int());
  EXPECT_FALSE(json::parse("1e2").is_int());
  EXPECT_EQ(json::parse("3.0").as_int(), 3);  // integral doubles are accepted by as_int()
  expect_contains(json_error_of([] { json::parse("2.5").as_int(); }), "2.5");
  EXPECT_EQ(json::parse("7").as_double(), 7.0);
}

TEST(Json, DoublesRoundTripBitwise) {
  const double values[] = {
      1e-300,    0.1,         -0.0, 0.0,  5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
      1.0 / 3.0, -123456.789, 3.0,  1e21, 1e-7,   123456789012345680.0};
  for (double d : values) {
    const std::string text = json::dump(Value(d));
    const Value back = json::parse(text);
    EXPECT_FALSE(back.is_int()) << text;
    EXPECT_EQ(std::bit_cast<uint64_t>(back.as_double()), std::bit_cast<uint64_t>(d)) << text;
  }
  EXPECT_EQ(json::dump(Value(0.1)), "0.1");
  EXPECT_EQ(json::dump(Value(3.0)), "3.0");
  EXPECT_EQ(json::dump(Value(-0.0)), "-0.0");
  EXPECT_EQ(json::dump(Value(1e-300)), "1e-300");
}

TEST(Json, FloatsDumpInTheirShortestForm) {
  // Through double, 0.6f would print as 0.6000000238418579.
  EXPECT_EQ(json::dump(Value(0.6f)), "0.6");
  EXPECT_EQ(json::dump(Value(0.005f)), "0.005");
  EXPECT_EQ(json::dump(Value(5e-4f)), "5e-04");  // to_chars' shortest form, as for 5e-4
  EXPECT_EQ(json::dump(Value(1.0f)), "1.0");     // still a double, as for Value(1.0)
  EXPECT_EQ(json::dump(Value(-0.0f)), "-0.0");
  EXPECT_EQ(json::dump(Value(3.4028235e38f)), "3.4028235e+38");
  EXPECT_EQ(json::dump(Value(1e-45f)), "1e-45");  // the smallest subnormal
  EXPECT_FALSE(Value(0.5f).is_int());

  // Assignment and push_back pick the float constructor (not double, bool or an integer).
  const float lr = 0.005f, dropout = 0.6f;
  Value v = Value::object();
  v["lr"] = lr;
  v["list"].push_back(dropout);
  EXPECT_EQ(json::dump(v), R"({"lr":0.005,"list":[0.6]})");

  // Every float reads back from the dumped text to the same bits: over all exponents and many
  // mantissas, plus the extremes.
  std::vector<float> values = {std::numeric_limits<float>::max(), std::numeric_limits<float>::min(),
                               std::numeric_limits<float>::denorm_min(), 0.1f, 1.0f / 3.0f};
  uint32_t state = 12345;
  for (int k = 0; k < 200000; ++k) {
    state = state * 1664525u + 1013904223u;  // LCG over all 32-bit patterns
    const float f = std::bit_cast<float>(state);
    if (std::isfinite(f)) values.push_back(f);
  }
  for (float f : values) {
    const std::string text = json::dump(Value(f));
    const float back = static_cast<float>(json::parse(text).as_double());
    ASSERT_EQ(std::bit_cast<uint32_t>(back), std::bit_cast<uint32_t>(f)) << text;
  }

  // Non-finite floats are refused by dump(), as non-finite doubles are.
  expect_contains(json_error_of([] { json::dump(Value(std::numeric_limits<float>::infinity())); }),
                  "is not a JSON number");
}

TEST(Json, UnderflowIsZeroOverflowIsAnError) {
  EXPECT_EQ(json::parse("1e-400").as_double(), 0.0);
  EXPECT_TRUE(std::signbit(json::parse("-1e-400").as_double()));
  EXPECT_EQ(json::parse("0.0000000000000000000000000000000001e-300").as_double(), 0.0);
  expect_contains(json_error_of([] { json::parse("1e400"); }), "out of the range of a double");
  expect_contains(json_error_of([] { json::parse("-123e999"); }), "out of the range");
}

TEST(Json, NonFiniteNumbersAreRejected) {
  for (double d : {std::nan(""), std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity()}) {
    Value v = Value::object();
    v["loss"] = d;
    expect_contains(json_error_of([&] { json::dump(v); }), ".loss");
  }
  for (const char* text : {"NaN", "Infinity", "-Infinity", "[nan]"})
    json_error_of([&] { json::parse(text); });
}

TEST(Json, StringEscapes) {
  const std::string raw = "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f";
  const std::string text = json::dump(Value(raw));
  EXPECT_EQ(text, "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"");
  EXPECT_EQ(json::parse(text).as_string(), raw);
  EXPECT_EQ(json::parse(R"("\/\"\\\b\f\n\r\t")").as_string(), "/\"\\\b\f\n\r\t");
}

TEST(Json, UnicodeEscapesAndRawUtf8) {
  EXPECT_EQ(json::parse(R"("caf\u00e9")").as_string(), "caf\xc3\xa9");
  EXPECT_EQ(json::parse(R"("\u20AC")").as_string(), "\xe2\x82\xac");
  EXPECT_EQ(json::parse(R"("\ud83d\ude00")").as_string(), "\xf0\x9f\x98\x80");  // U+1F600
  EXPECT_EQ(json::parse(R"("\uDBFF\uDFFF")").as_string(), "\xf4\x8f\xbf\xbf");  // U+10FFFF
  const std::string nul = json::parse(R"("a\u0000b")").as_string();
  EXPECT_EQ(nul, std::string("a\0b", 3));
  EXPECT_EQ(json::dump(Value(nul)), "\"a\\u0000b\"");

  const std::string utf8 = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";  // raw, unescaped
  EXPECT_EQ(json::dump(Value(utf8)), "\"" + utf8 + "\"");
  EXPECT_EQ(json::parse("\"" + utf8 + "\"").as_string(), utf8);
}

TEST(Json, InvalidUnicodeIsRejected) {
  expect_contains(json_error_of([] { json::parse(R"("\ud83d")"); }), "surrogate");
  expect_contains(json_error_of([] { json::parse(R"("\ud83dx")"); }), "surrogate");
  expect_contains(json_error_of([] { json::parse(R"("\ude00")"); }), "low surrogate");
  expect_contains(json_error_of([] { json::parse(R"("\ud83d\u0041")"); }), "surrogate");
  expect_contains(json_error_of([] { json::parse("\"\xff\""); }), "invalid UTF-8");
  expect_contains(json_error_of([] { json::parse("\"\xc0\xaf\""); }), "invalid UTF-8");  // overlong
  expect_contains(json_error_of([] { json::parse("\"\xed\xa0\x80\""); }), "invalid UTF-8");
  expect_contains(json_error_of([] { json::parse("\"\xe2\x82\""); }), "invalid UTF-8");
  expect_contains(json_error_of([] { json::dump(Value("bad \xff")); }), "not valid UTF-8");

  EXPECT_TRUE(json::is_valid_utf8("caf\xc3\xa9 \xf4\x8f\xbf\xbf"));
  EXPECT_FALSE(json::is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(json::is_valid_utf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(json::is_valid_utf8("\xc3"));              // truncated
}

TEST(Json, ParseErrorsNameLineAndColumn) {
  struct Case {
    std::string text;
    std::vector<std::string> parts;
  };
  const Case cases[] = {
      {"[1,2,]", {"line 1, column 6", "trailing comma"}},
      {"{\"a\":1,}", {"line 1, column 8", "trailing comma"}},
      {"\n  \"abc", {"line 2, column 3", "unterminated string"}},
      {R"(["\x"])", {"line 1, column 3", "invalid escape"}},
      {"\"\\u12G4\"", {"line 1, column 6", "invalid hex digit"}},
      {"{} x", {"line 1, column 4", "'x' after the JSON value"}},
      {"[1] [2]", {"line 1, column 5", "after the JSON value"}},
      {"{\"a\":1,\n\"a\":2}", {"line 2, column 1", "duplicate key \"a\""}},
      {"01", {"line 1, column 1", "leading zeros"}},
      {"[-012]", {"line 1, column 2", "leading zeros"}},
      {"[1.]", {"line 1, column 4", "digit after '.'"}},
      {"1e+", {"line 1, column 4", "exponent"}},
      {"-", {"line 1, column 2", "digit after '-'"}},
      {"+1", {"line 1, column 1", "unexpected '+'"}},
      {"", {"line 1, column 1", "end of input"}},
      {"  \n\t", {"line 2, column 2", "end of input"}},
      {"tru", {"line 1, column 1", "invalid literal"}},
      {"\"a\tb\"", {"line 1, column 3", "control character"}},
      {"[1 2]", {"line 1, column 4", "expected ',' or ']'"}},
      {"[1,2", {"line 1, column 5", "end of input"}},
      {"{\"a\" 1}", {"line 1, column 6", "expected ':'"}},
      {"{1:2}", {"line 1, column 2", "expected a string key"}},
      {std::string(600, '['), {"nesting deeper than 512"}},
  };
  for (const Case& c : cases) {
    const std::string what = json_error_of([&] { json::parse(c.text); });
    for (const std::string& part : c.parts)
      expect_contains(what, part);
  }
  // Duplicates are found in big objects too (a hash set takes over from the linear scan).
  std::string big = "{";
  for (int i = 0; i < 40; ++i)
    big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  EXPECT_EQ(json::parse(big + "\"last\":0}").size(), 41u);
  expect_contains(json_error_of([&] { json::parse(big + "\"k7\":0}"); }), "duplicate key \"k7\"");
  // Nesting up to the limit is fine.
  EXPECT_NO_THROW(json::parse(std::string(512, '[') + std::string(512, ']')));
}

TEST(Json, TypeErrorsNameThePath) {
  const Value v =
      json::parse(R"({"model": {"heads": "8", "layers": [1, 2.5]}, "a b": {"c": true}})");
  std::string what = json_error_of([&] { v.at("model").at("heads").as_int(); });
  expect_contains(what, ".model.heads");
  expect_contains(what, "expected integer, got string");

  what = json_error_of([&] { v.at("model").at("layers").at(1).as_int(); });
  expect_contains(what, ".model.layers[1]");
  expect_contains(what, "2.5");

  what = json_error_of([&] { v.at("model").at("dropout"); });
  expect_contains(what, ".model");
  expect_contains(what, "missing key \"dropout\"");

  what = json_error_of([&] { v.at("model").at("layers").at(5); });
  expect_contains(what, ".model.layers");
  expect_contains(what, "index 5 out of range for an array of 2");

  what = json_error_of([&] { v.at("a b").at("c").as_string(); });
  expect_contains(what, "[\"a b\"].c");
  expect_contains(what, "expected string, got bool");

  expect_contains(json_error_of([&] { v.as_bool(); }), "expected bool, got object");
  expect_contains(json_error_of([&] { v.at(0); }), "expected array, got object");
  expect_contains(json_error_of([&] { v.at("model").at("layers").at(-1); }),
                  ".model.layers: negative index -1");
  EXPECT_EQ(v.at("model").at("layers").at(0u).as_int(), 1);
  EXPECT_EQ(v.at("model").at("layers").at(int64_t{1}).as_double(), 2.5);
  expect_contains(json_error_of([&] { json::parse("3").at("x"); }), "expected object, got number");
  expect_contains(json_error_of([&] { json::parse("null").size(); }), "got null");

  // Built values know the key they were stored under.
  Value built = Value::object();
  built["optim"]["lr"] = 0.01;
  what = json_error_of([&] { built.at("optim").at("lr").as_string(); });
  expect_contains(what, ".optim.lr");
  expect_contains(what, "expected string, got number");
}

TEST(Json, BuildersAndAccessors) {
  Value v;  // null
  EXPECT_TRUE(v.is_null());
  v["x"] = 1;  // null becomes an object
  EXPECT_TRUE(v.is_object());
  EXPECT_TRUE(v.contains("x"));
  EXPECT_FALSE(v.contains("y"));
  v["x"] = "replaced";  // same key: replaced in place, order kept
  v["y"] = false;
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v.items()[0].first, "x");
  EXPECT_EQ(v.at("x").as_string(), "replaced");
  EXPECT_FALSE(v.at("y").as_bool());
  expect_contains(json_error_of([&] { v.push_back(1); }), "expected array, got object");

  Value a;
  a.push_back(1);
  a.push_back(Value::array());
  a.at(1).push_back("deep");
  EXPECT_EQ(json::dump(a), "[1,[\"deep\"]]");
  EXPECT_EQ(a.elements().size(), 2u);
  expect_contains(json_error_of([&] { a["k"]; }), "expected object, got array");

  Value s = "text";
  expect_contains(json_error_of([&] { s.push_back(1); }), "expected array, got string");

  // Assigning a member of a value to the value itself is safe.
  Value nested = json::parse(R"({"inner": {"k": [1, 2]}})");
  nested = nested.at("inner");
  EXPECT_EQ(json::dump(nested), R"({"k":[1,2]})");
  nested = std::move(nested.at("k"));
  EXPECT_EQ(json::dump(nested), "[1,2]");
}

TEST(Json, EqualityIgnoresMemberOrderAndNumberKind) {
  EXPECT_EQ(json::parse(R"({"a":1,"b":[1,2]})"), json::parse(R"({"b":[1,2.0],"a":1.0})"));
  EXPECT_FALSE(json::parse(R"({"a":1})") == json::parse(R"({"a":1,"b":2})"));
  EXPECT_FALSE(json::parse("[1,2]") == json::parse("[2,1]"));
  EXPECT_FALSE(json::parse("\"1\"") == json::parse("1"));
  EXPECT_FALSE(json::parse("null") == json::parse("false"));
}

TEST(Json, HeaderExample) {
  // --- the example in gat/io/json.h ---
  gat::json::Value meta = gat::json::Value::object();
  meta["epoch"] = 12;
  meta["lr"] = 0.005f;  // a float dumps in its shortest form: 0.005
  meta["layers"].push_back("GATConv(1433, 8, heads=8)");
  std::string text = gat::json::dump(meta);  // {"epoch":12,"lr":0.005,"layers":["GATConv(...)"]}
  gat::json::Value back = gat::json::parse(text);
  int64_t epoch = back.at("epoch").as_int();  // 12
  EXPECT_THROW(back.at("lr").as_string(),
               gat::json::JsonError);  // .lr: expected string, got number
  // ---
  EXPECT_EQ(text, R"j({"epoch":12,"lr":0.005,"layers":["GATConv(1433, 8, heads=8)"]})j");
  EXPECT_EQ(epoch, 12);
  expect_contains(json_error_of([&] { back.at("lr").as_string(); }),
                  ".lr: expected string, got number");
  EXPECT_THROW(back.at("lr").as_string(), gat::IoError);  // JsonError is an IoError
}

}  // namespace
}  // namespace gat

// What gat/io/json.h adds to nlohmann-json: errors that start with `what`, the duplicate-key and
// depth checks, the float serializer, and Fields. nlohmann's own parsing and writing are its
// business and its tests'.
#include "gat/io/json.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <string>

#include "testing/file_bytes.h"

namespace gat {
namespace {

using json::JsonError;
using testing::error_of;

std::string parse_error(const std::string& text) {
  return error_of<JsonError>([&] { json::parse(text, "cfg.json"); });
}

TEST(Json, HeaderExample) {
  // --- the example in gat/io/json.h ---
  gat::Json meta = {{"epoch", 12}, {"lr", 0.005f}};
  meta["layers"].push_back("GATConv(1433, 8, heads=8)");
  std::string text = gat::json::dump(meta);  // {"epoch":12,"lr":0.005,"layers":["GATConv(...)"]}
  gat::Json back = gat::json::parse(text, "meta.json");
  gat::json::Fields f(back, "meta.json");
  int64_t epoch = f.integer("epoch");                  // 12
  EXPECT_THROW(f.string("lr"), gat::json::JsonError);  // meta.json: "lr" must be a string, ...
  // ---
  EXPECT_EQ(text, R"j({"epoch":12,"lr":0.005,"layers":["GATConv(1433, 8, heads=8)"]})j");
  EXPECT_EQ(epoch, 12);
  EXPECT_EQ(error_of<IoError>([&] { f.string("lr"); }),  // JsonError is an IoError
            R"(meta.json: "lr" must be a string, got number 0.005)");
}

TEST(Json, ParseErrorsStartWithWhatAndNameLineAndColumn) {
  EXPECT_EQ(parse_error("{\"a\": 1,\n  ]"),
            "cfg.json: line 2, column 3: syntax error while parsing object key - unexpected ']'; "
            "expected string literal");
  EXPECT_EQ(parse_error("[1,2,]").rfind("cfg.json: line 1, column 6: syntax error", 0), 0u);
  EXPECT_EQ(parse_error("").rfind("cfg.json: line 1, column 1: ", 0), 0u);
  // A number beyond double's range is refused as a JsonError too (nlohmann: out_of_range).
  EXPECT_EQ(parse_error("[1e400]"), "cfg.json: number overflow parsing '1e400'");
}

TEST(Json, DuplicateKeysAreRefusedWithTheirPath) {
  EXPECT_EQ(parse_error(R"({"a":1,"a":2})"),
            R"(cfg.json: key "a" appears twice in the object at the top level)");
  EXPECT_EQ(parse_error(R"({"b":{"c":[0,{"x":1,"x":2}]}})"),
            R"(cfg.json: key "x" appears twice in the object at .b.c[1])");
  // A nested container counts as one element of its array.
  EXPECT_EQ(parse_error(R"({"b":{"c":[[1,2,3],{"x":1},{"y":1,"y":2}]}})"),
            R"(cfg.json: key "y" appears twice in the object at .b.c[2])");
  // One key in different objects is fine.
  EXPECT_EQ(json::parse(R"([{"k":1},{"k":2,"a":{"k":3}}])", "x")[1]["a"]["k"], 3);
}

TEST(Json, NestingIsLimitedToMaxDepth) {
  const int n = json::kMaxDepth;
  EXPECT_NO_THROW(json::parse(std::string(n, '[') + std::string(n, ']'), "x"));
  std::string objects;
  for (int i = 0; i < n; ++i)
    objects += "{\"a\":";
  EXPECT_NO_THROW(json::parse(objects + "1" + std::string(n, '}'), "x"));

  const std::string refused = "cfg.json: containers nest deeper than 512 levels";
  EXPECT_EQ(parse_error(std::string(n + 1, '[') + std::string(n + 1, ']')), refused);
  EXPECT_EQ(parse_error("{\"a\":" + objects + "1" + std::string(n + 1, '}')), refused);
  EXPECT_EQ(parse_error(std::string(1'000'000, '[')), refused);  // no stack overflow
}

TEST(Json, InvalidUtf8IsRefusedByParseAndDump) {
  const std::string bad = "caf\xc3";  // a truncated two-byte sequence
  EXPECT_EQ(parse_error("\"" + bad + "\"")
                .rfind("cfg.json: line 1, column 6: syntax error while parsing value - invalid "
                       "string: ill-formed UTF-8 byte",
                       0),
            0u);
  EXPECT_EQ(error_of<JsonError>([&] { json::dump(Json(bad)); }),
            "json::dump: incomplete UTF-8 string; last byte: 0xC3");
  EXPECT_EQ(json::dump(Json{{"k", "caf\xc3\xa9"}}), "{\"k\":\"caf\xc3\xa9\"}");
}

TEST(Json, FloatsDumpShortestAndRoundTripBitwise) {
  const std::pair<float, const char*> cases[] = {
      {0.6f, "0.6"},   {0.005f, "0.005"}, {1e-8f, "1e-08"}, {3.4028235e38f, "3.4028235e+38"},
      {-0.0f, "-0.0"}, {1e-45f, "1e-45"}, {1.0f, "1.0"},
  };
  for (const auto& [f, text] : cases) {
    EXPECT_EQ(json::dump(Json(f)), text);
    const float back = json::parse(text, "x").get<float>();
    EXPECT_EQ(std::bit_cast<uint32_t>(back), std::bit_cast<uint32_t>(f)) << text;
  }
  const float lr = 0.6f;
  Json v = {{"lr", lr}};
  v["list"].push_back(lr);
  EXPECT_EQ(json::dump(v), R"({"lr":0.6,"list":[0.6]})");
}

TEST(Json, DescribeGivesTypeAndValue) {
  EXPECT_EQ(json::describe(Json("8")), R"(string "8")");
  EXPECT_EQ(json::describe(Json(true)), "boolean true");
  EXPECT_EQ(json::describe(Json(nullptr)), "null");
  EXPECT_EQ(json::describe(Json::array({1, 2})), "array");
  EXPECT_EQ(json::describe(Json(std::string(50, 'a'))), "string \"" + std::string(36, 'a') + "...");
}

TEST(Json, FieldsReadTypedMembersAndNameWhereKeyAndValue) {
  const Json v = json::parse(R"({"a":8,"b":8.0,"c":8.5,"d":"8","e":9223372036854775808,"f":1e19,)"
                             R"("g":-3,"lr":0.6,"big":1e39,"s":"x","t":true,"n":null})",
                             "x");
  const json::Fields f(v, "m.safetensors: gat.config");
  EXPECT_EQ(f.integer("a"), 8);
  EXPECT_EQ(f.integer("b"), 8);
  EXPECT_EQ(f.integer("g"), -3);
  EXPECT_EQ(f.real("lr"), 0.6f);
  EXPECT_EQ(f.real("a"), 8.0f);
  EXPECT_EQ(f.string("s"), "x");
  EXPECT_TRUE(f.boolean("t"));

  auto error = [&](auto read) { return error_of<JsonError>([&] { read(); }); };
  const std::string where = "m.safetensors: gat.config: ";
  EXPECT_EQ(error([&] { f.integer("c"); }), where + R"("c" must be an integer, got number 8.5)");
  EXPECT_EQ(error([&] { f.integer("d"); }), where + R"("d" must be an integer, got string "8")");
  EXPECT_EQ(error([&] { f.integer("e"); }),
            where + R"("e" must be an integer in int64's range, got number 9223372036854775808)");
  EXPECT_EQ(error([&] { f.integer("f"); }), where + R"("f" must be an integer, got number 1e+19)");
  EXPECT_EQ(error([&] { f.real("s"); }), where + R"("s" must be a number, got string "x")");
  EXPECT_EQ(error([&] { f.real("big"); }),
            where + R"("big" must be a number in float's range, got number 1e+39)");
  EXPECT_EQ(error([&] { f.boolean("a"); }), where + R"("a" must be true or false, got number 8)");
  EXPECT_EQ(error([&] { f.string("n"); }), where + R"("n" must be a string, got null)");
  EXPECT_EQ(error([&] { f.integer("nope"); }), where + R"("nope" is missing)");
  EXPECT_EQ(error([&] { f.at("nope"); }), where + R"("nope" is missing)");

  // A fallback stands in for a missing key only; a present member of the wrong type still throws.
  EXPECT_EQ(f.integer("nope", 7), 7);
  EXPECT_EQ(f.real("nope", 0.5f), 0.5f);
  EXPECT_FALSE(f.boolean("nope", false));
  EXPECT_EQ(f.string("nope", "fb"), "fb");
  EXPECT_EQ(f.integer("a", 7), 8);
  EXPECT_EQ(f.string("s", "fb"), "x");
  EXPECT_EQ(error([&] { f.integer("d", 7); }), where + R"("d" must be an integer, got string "8")");
  EXPECT_EQ(error([&] { f.string("n", "fb"); }), where + R"("n" must be a string, got null)");
  EXPECT_TRUE(f.has("n"));
  EXPECT_FALSE(f.has("nope"));
}

TEST(Json, FieldsOfANonObjectThrow) {
  const Json array = Json::array({1});
  const Json text = "x";
  EXPECT_EQ(error_of<JsonError>([&] { json::Fields(array, "cfg"); }),
            "cfg: expected a JSON object, got array");
  EXPECT_EQ(error_of<JsonError>([&] { json::Fields(text, "cfg"); }),
            R"(cfg: expected a JSON object, got string "x")");
}

}  // namespace
}  // namespace gat

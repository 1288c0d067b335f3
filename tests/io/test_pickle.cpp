#include "gat/io/pickle.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "gat/core/error.h"
#include "testing/data_dir.h"
#include "testing/pickle_bytes.h"

namespace gat {
namespace {

using pickle::Kind;
using pickle::ValuePtr;
using testing::Bytes;

std::string cora_path(const std::string& part) {
  return gat::testing::data_dir() + "/planetoid/cora/ind.cora." + part;
}

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.is_open()) << "missing test data: " << path;
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Runs `fn`, which must throw gat::IoError whose message holds every one of `parts`.
void expect_io_error(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  try {
    fn();
    ADD_FAILURE() << "no gat::IoError thrown";
  } catch (const IoError& e) {
    const std::string what = e.what();
    for (const std::string& p : parts)
      EXPECT_NE(what.find(p), std::string::npos) << "'" << p << "' not in: " << what;
  }
}

void expect_parse_error(const std::string& bytes, const std::vector<std::string>& parts) {
  expect_io_error([&] { pickle::parse(bytes, "evil.pkl"); }, parts);
}

template <typename T>
std::string raw(const std::vector<T>& v) {
  return {reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)};
}

// A csr_matrix pickle as scipy writes it (i4 indices, f4 data).
std::string csr_pickle(int32_t rows, int32_t cols, const std::vector<int32_t>& indptr,
                       const std::vector<int32_t>& indices, const std::vector<float>& data) {
  Bytes b;
  b.global("scipy.sparse.csr", "csr_matrix").op(')').op('\x81').op('}').op('(');
  b.str("format").str("csr").str("_shape").int4(rows).int4(cols).op('\x86');
  b.str("indptr").array("i4", {static_cast<int64_t>(indptr.size())}, raw(indptr));
  b.str("indices").array("i4", {static_cast<int64_t>(indices.size())}, raw(indices));
  b.str("data").array("f4", {static_cast<int64_t>(data.size())}, raw(data));
  return b.op('u').op('b').stop();
}

TEST(Pickle, ReadsCoraFeaturesAsDecodedIndependently) {
  // Expected values decoded with CPython's own pickle module and the raw bytes.
  ValuePtr v = pickle::load(cora_path("x"));
  ASSERT_EQ(v->kind, Kind::kCsr);
  const pickle::Csr& x = v->csr;
  EXPECT_EQ(x.rows, 140);
  EXPECT_EQ(x.cols, 1433);
  EXPECT_EQ(x.nnz(), 2647);
  EXPECT_EQ(std::vector<int64_t>(x.indptr.begin(), x.indptr.begin() + 5),
            (std::vector<int64_t>{0, 9, 32, 51, 72}));
  EXPECT_EQ(std::vector<int64_t>(x.indices.begin(), x.indices.begin() + 5),
            (std::vector<int64_t>{19, 81, 146, 315, 774}));
  for (double d : x.data)
    ASSERT_EQ(d, 1.0);

  ValuePtr tx = pickle::load(cora_path("tx"));
  ASSERT_EQ(tx->kind, Kind::kCsr);
  EXPECT_EQ(tx->csr.nnz(), 17955);
  EXPECT_EQ(tx->csr.indptr[1], 15);
  EXPECT_EQ(tx->csr.indices[0], 311);
  EXPECT_EQ(pickle::load(cora_path("allx"))->csr.nnz(), 31261);
}

TEST(Pickle, ReadsCoraLabelsAndGraph) {
  ValuePtr y = pickle::load(cora_path("y"));
  ASSERT_EQ(y->kind, Kind::kArray);
  EXPECT_EQ(y->array.shape, (std::vector<int64_t>{140, 7}));
  EXPECT_EQ(y->array.dtype.str(), "<i4");
  for (int c = 0; c < 7; ++c)
    EXPECT_EQ(y->array.get(c), c == 3 ? 1.0 : 0.0);

  ValuePtr g = pickle::load(cora_path("graph"));
  ASSERT_EQ(g->kind, Kind::kDict);
  EXPECT_TRUE(g->is_defaultdict);
  ASSERT_EQ(g->entries.size(), 2708u);
  size_t total = 0;
  for (const auto& [key, list] : g->entries)
    total += list->items.size();
  EXPECT_EQ(total, 10858u);  // adjacency entries, duplicates included
  auto neighbours = [&](size_t i) {
    std::vector<int64_t> out;
    for (const ValuePtr& j : g->entries[i].second->items)
      out.push_back(j->integer);
    return out;
  };
  EXPECT_EQ(g->entries[0].first->integer, 0);
  EXPECT_EQ(neighbours(0), (std::vector<int64_t>{633, 1862, 2582}));
  EXPECT_EQ(g->entries[2].first->integer, 2);
  EXPECT_EQ(neighbours(2), (std::vector<int64_t>{1986, 332, 1666, 1, 1454}));
}

TEST(Pickle, ParsesScalarsContainersAndMemo) {
  Bytes b;
  b.op('(').int4(-5).op('K').le(200, 1).op('M').le(60000, 2).op('\x88').op('\x89').op('N');
  b.str("hi").op('q').le(7, 1).op('h').le(7, 1).op(']').op('(').op('K').le(1, 1).op('K').le(2, 1);
  b.op('e').op('}').op('(').op('K').le(4, 1).op(')').op('u').op('t');
  ValuePtr v = pickle::parse(b.stop(), "ok.pkl");
  ASSERT_EQ(v->kind, Kind::kTuple);
  ASSERT_EQ(v->items.size(), 10u);
  EXPECT_EQ(v->items[0]->integer, -5);
  EXPECT_EQ(v->items[1]->integer, 200);
  EXPECT_EQ(v->items[2]->integer, 60000);
  EXPECT_EQ(v->items[3]->kind, Kind::kBool);
  EXPECT_EQ(v->items[3]->integer, 1);
  EXPECT_EQ(v->items[4]->integer, 0);
  EXPECT_EQ(v->items[5]->kind, Kind::kNone);
  EXPECT_EQ(v->items[6]->string, "hi");
  EXPECT_EQ(v->items[6], v->items[7]);  // BINGET returns the memoised object itself
  ASSERT_EQ(v->items[8]->kind, Kind::kList);
  EXPECT_EQ(v->items[8]->items.size(), 2u);
  ASSERT_EQ(v->items[9]->kind, Kind::kDict);
  EXPECT_EQ(v->items[9]->entries.at(0).first->integer, 4);
  EXPECT_EQ(v->items[9]->entries.at(0).second->kind, Kind::kTuple);

  ValuePtr m = pickle::parse(csr_pickle(2, 3, {0, 2, 3}, {0, 2, 1}, {1.5f, 2, -3}), "ok.pkl");
  ASSERT_EQ(m->kind, Kind::kCsr);
  EXPECT_EQ(m->csr.indptr, (std::vector<int64_t>{0, 2, 3}));
  EXPECT_EQ(m->csr.indices, (std::vector<int64_t>{0, 2, 1}));
  EXPECT_EQ(m->csr.data, (std::vector<double>{1.5, 2, -3}));
}

TEST(Pickle, RefusesForbiddenGlobals) {
  const std::pair<std::string, std::string> evil[] = {{"os", "system"},
                                                      {"posix", "system"},
                                                      {"builtins", "eval"},
                                                      {"__builtin__", "eval"},
                                                      {"subprocess", "Popen"},
                                                      {"numpy", "load"},
                                                      {"scipy.sparse.csr", "csr_matrix2"}};
  for (const auto& [module, name] : evil) {
    Bytes b;
    b.global(module, name).str("touch /tmp/pwned").op('\x85').op('R');
    expect_parse_error(b.stop(),
                       {"evil.pkl: offset 2: GLOBAL '" + module + " " + name + "' is not allowed"});
  }
  // An allowed class called with something else than numpy / scipy write.
  Bytes list_call;
  list_call.global("__builtin__", "list").op(')').op('R');
  expect_parse_error(list_call.stop(), {"REDUCE of '__builtin__ list' is not allowed"});
}

TEST(Pickle, RefusesUnknownOpcodes) {
  expect_parse_error(Bytes{}.op('\xff').stop(), {"evil.pkl", "offset 2", "opcode 0xff"});
  // Real pickle opcodes outside the subset: LONG_BINGET, BINUNICODE, INST, OBJ, BINFLOAT.
  for (char c : {'j', 'X', 'i', 'o', 'G'})
    expect_parse_error(Bytes{}.op(c).stop(),
                       {"offset 2", std::string("'") + c + "' is not supported"});
  expect_parse_error("\x80\x03N.", {"offset 0", "protocol 3 is not supported"});
}

TEST(Pickle, RefusesTruncatedFiles) {
  const std::string full = read_bytes(cora_path("x"));
  ASSERT_EQ(full.size(), 22119u);
  const auto dir = std::filesystem::temp_directory_path() / "gat_test_pickle_truncated";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "ind.cora.x").string();
  std::ofstream(path, std::ios::binary) << full.substr(0, 1000);
  // Byte 845 starts the 10,588-byte BINSTRING holding the indices.
  expect_io_error([&] { pickle::load(path); },
                  {path + ": offset 845: truncated: BINSTRING needs 10588 bytes, 150 left"});
  std::filesystem::remove_all(dir);
  // Every proper prefix of a real file is refused, none crashes.
  const std::string y = read_bytes(cora_path("y"));
  for (size_t n = 0; n < y.size(); ++n)
    ASSERT_THROW(pickle::parse(std::string_view(y).substr(0, n), "ind.cora.y"), IoError) << n;
  for (size_t n = 0; n < full.size(); n += 97)
    ASSERT_THROW(pickle::parse(std::string_view(full).substr(0, n), "ind.cora.x"), IoError) << n;
  expect_parse_error(full + "N", {"offset 22118: 1 bytes after STOP"});
}

TEST(Pickle, RefusesInconsistentCsr) {
  expect_parse_error(csr_pickle(3, 4, {0, 3, 2, 4}, {0, 1, 2, 3}, {1, 1, 1, 1}),
                     {"evil.pkl: offset", "indptr[2] = 2 < indptr[1] = 3 (not monotone)"});
  expect_parse_error(csr_pickle(2, 4, {0, 1, 2}, {0, 9}, {1, 1}),
                     {"indices[1] = 9 out of range for 4 columns"});
  expect_parse_error(csr_pickle(2, 4, {0, 1, 3}, {0, 1}, {1, 1}),
                     {"indptr[2] = 3 but there are 2 indices"});
  expect_parse_error(csr_pickle(2, 4, {1, 1, 2}, {0, 1}, {1, 1}), {"indptr[0] = 1, expected 0"});
  expect_parse_error(csr_pickle(3, 4, {0, 1, 2}, {0, 1}, {1, 1}),
                     {"indptr has 3 entries for 3 rows"});
  expect_parse_error(csr_pickle(2, 4, {0, 1, 2}, {0, 1}, {1}), {"2 indices but 1 values"});
  // The real ind.cora.x with its first column index (bytes 850..853, value 19) set to 1433.
  std::string x = read_bytes(cora_path("x"));
  ASSERT_EQ(x.substr(850, 4), std::string("\x13\0\0\0", 4));
  x[850] = static_cast<char>(1433 & 0xff);
  x[851] = static_cast<char>(1433 >> 8);
  expect_io_error([&] { pickle::parse(x, "ind.cora.x"); },
                  {"ind.cora.x: offset 22117:", "indices[0] = 1433 out of range for 1433 columns"});
}

TEST(Pickle, RefusesBadArrays) {
  expect_parse_error(Bytes{}.array("i4", {3}, std::string(8, '\0')).stop(),
                     {"ndarray of 3 <i4 elements needs 12 bytes, found 8"});
  expect_parse_error(Bytes{}.array("i4", {2}, std::string(8, '\0'), '>').stop(),
                     {"big-endian dtype '>i4' is not supported"});
  expect_parse_error(Bytes{}.array("O8", {1}, std::string(8, '\0')).stop(),
                     {"dtype 'O8' is not supported"});
  expect_parse_error(Bytes{}.array("4 ", {1}, std::string(8, '\0')).stop(),
                     {"dtype '4 ' is not supported"});
}

TEST(Pickle, RefusesBadStackAndMemo) {
  expect_parse_error(Bytes{}.op('h').le(5, 1).stop(),
                     {"evil.pkl: offset 2: BINGET: memo slot 5 was never set"});
  expect_parse_error(Bytes{}.op('N').op('t').stop(), {"offset 3: TUPLE without a MARK"});
  expect_parse_error(Bytes{}.op('N').op('\x86').stop(), {"offset 3: stack underflow: TUPLE2"});
  // The values below a MARK are out of reach until the MARK is closed.
  expect_parse_error(Bytes{}.op('N').op('(').op('\x85').stop(), {"stack underflow: TUPLE1"});
  expect_parse_error(Bytes{}.op('a').stop(), {"stack underflow: APPEND"});
  expect_parse_error(Bytes{}.op('N').op('N').stop(), {"STOP leaves 1 extra value(s)"});
  expect_parse_error(Bytes{}.op('(').op('N').stop(), {"STOP with 1 MARK(s) left open"});
  expect_parse_error("", {"evil.pkl: offset 0: truncated: the pickle ends without STOP"});
  expect_parse_error(Bytes{}.op('N').op('N').op('a').stop(), {"APPEND on a None, expected a list"});
  // A list inside itself, or changed after being nested, would break the acyclic tree.
  expect_parse_error(Bytes{}.op(']').op('q').le(0, 1).op('h').le(0, 1).op('a').stop(),
                     {"a list inside itself"});
  expect_parse_error(
      Bytes{}.op(']').op('q').le(0, 1).op('\x85').op('h').le(0, 1).op('N').op('a').stop(),
      {"APPEND on a list already placed inside another container"});
  Bytes deep;
  deep.op('N');
  for (int i = 0; i < 40; ++i)
    deep.op('\x85');
  expect_parse_error(deep.stop(), {"containers nested deeper than 32"});
  expect_parse_error(Bytes{}.op('}').op('(').op('N').op('N').op('u').stop(),
                     {"SETITEMS: a None key"});
}

TEST(Pickle, MissingFileNamesThePath) {
  const std::string path = gat::testing::data_dir() + "/planetoid/cora/ind.cora.nope";
  expect_io_error([&] { pickle::load(path); }, {"no such file: " + path});
}

TEST(Pickle, HeaderExample) {
  const std::string dir = gat::testing::data_dir() + "/planetoid/cora";
  gat::pickle::ValuePtr v = gat::pickle::load(dir + "/ind.cora.x");
  ASSERT_EQ(v->kind, gat::pickle::Kind::kCsr);
  const gat::pickle::Csr& x = v->csr;
  EXPECT_EQ(x.rows, 140);
  EXPECT_EQ(x.cols, 1433);
  EXPECT_EQ(x.data[x.indptr[0]], 1.0);
}

}  // namespace
}  // namespace gat

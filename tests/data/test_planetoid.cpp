#include "gat/data/planetoid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gat/core/error.h"
#include "gat/io/pickle.h"
#include "testing/data_dir.h"

// Expected values were computed independently: CPython's own pickle module with stub classes for
// numpy / scipy (neither is installed here), decoding the raw array bytes with `array`, then
// building the dataset as PyG's Planetoid does (the rules in gat/data/planetoid.h).

namespace gat {
namespace {

namespace fs = std::filesystem;

std::string dataset_dir(const std::string& name) {
  return gat::testing::data_dir() + "/planetoid/" + name;
}

// Each dataset is loaded once per test run and shared by the tests (keeps them fast).
const NodeTask& loaded(const std::string& name, bool normalize) {
  static std::map<std::pair<std::string, bool>, NodeTask> cache;  // references stay valid
  auto it = cache.find({name, normalize});
  if (it == cache.end())
    it = cache
             .emplace(std::make_pair(name, normalize),
                      load_planetoid(dataset_dir(name), name, {.normalize_features = normalize}))
             .first;
  return it->second;
}

std::vector<int64_t> histogram(const NodeTask& t, const std::vector<int64_t>& nodes) {
  std::vector<int64_t> h(t.num_classes, 0);
  for (int64_t i : nodes)
    ++h[t.labels[i]];
  return h;
}

std::vector<int64_t> range(int64_t begin, int64_t end) {
  std::vector<int64_t> r;
  for (int64_t i = begin; i < end; ++i)
    r.push_back(i);
  return r;
}

int64_t row_nnz(const NodeTask& t, int64_t i) {
  const int64_t f = t.features.size(1);
  return std::count_if(t.features.data() + i * f, t.features.data() + (i + 1) * f,
                       [](float v) { return v != 0; });
}

std::vector<int64_t> out_neighbours(const Graph& g, int64_t j) {
  return {g.out_dst() + g.out_ptr()[j], g.out_dst() + g.out_ptr()[j + 1]};
}

// The structural facts every Planetoid graph shares: no self-loops, no duplicates, symmetric,
// edges sorted by (source, target).
void expect_clean_symmetric_sorted(const Graph& g) {
  EXPECT_EQ(g.num_self_loops(), 0);
  std::set<std::pair<int32_t, int32_t>> edges;
  for (int64_t e = 0; e < g.num_edges(); ++e) {
    const std::pair<int32_t, int32_t> edge(g.src()[e], g.dst()[e]);
    if (e > 0) {
      ASSERT_LT(std::make_pair(g.src()[e - 1], g.dst()[e - 1]), edge) << "edge " << e;
    }
    edges.insert(edge);
  }
  EXPECT_EQ(static_cast<int64_t>(edges.size()), g.num_edges());
  for (auto [s, d] : edges)
    ASSERT_TRUE(edges.count({d, s})) << s << " -> " << d;
}

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

TEST(Planetoid, EveryFileParses) {
  const std::vector<std::string> parts = {"x", "y", "tx", "ty", "allx", "ally", "graph"};
  int files = 0;
  for (const std::string name : {"cora", "citeseer"}) {
    for (const std::string& part : parts) {
      const std::string path = dataset_dir(name) + "/ind." + name + "." + part;
      pickle::ValuePtr v = pickle::load(path);
      const pickle::Kind want = part == "graph"      ? pickle::Kind::kDict
                                : part.back() == 'x' ? pickle::Kind::kCsr
                                                     : pickle::Kind::kArray;
      EXPECT_EQ(v->kind, want) << path;
      ++files;
    }
    EXPECT_EQ(read_planetoid_index(dataset_dir(name) + "/ind." + name + ".test.index").size(),
              1000u);
    ++files;
  }
  EXPECT_EQ(files, 16);
}

TEST(Planetoid, CoraCountsAndSplit) {
  const NodeTask& t = loaded("cora", true);
  EXPECT_EQ(t.name, "Cora");
  EXPECT_EQ(t.graph.num_nodes(), 2708);
  EXPECT_EQ(t.graph.num_edges(), 10556);
  EXPECT_EQ(t.features.shape(), Shape({2708, 1433}));
  EXPECT_EQ(t.num_classes, 7);
  ASSERT_EQ(t.labels.size(), 2708u);
  EXPECT_EQ(t.train, range(0, 140));
  EXPECT_EQ(t.val, range(140, 640));
  EXPECT_EQ(t.test, range(1708, 2708));  // test.index is a permutation of 1708 .. 2707
  EXPECT_EQ(histogram(t, t.train), std::vector<int64_t>(7, 20));
  EXPECT_EQ(histogram(t, t.val), (std::vector<int64_t>{61, 36, 78, 158, 81, 57, 29}));
  EXPECT_EQ(histogram(t, t.test), (std::vector<int64_t>{130, 91, 144, 319, 149, 103, 64}));
  EXPECT_EQ(histogram(t, range(0, 2708)),
            (std::vector<int64_t>{351, 217, 418, 818, 426, 298, 180}));
  EXPECT_EQ(t.graph.num_isolated_nodes(), 0);
  expect_clean_symmetric_sorted(t.graph);
}

TEST(Planetoid, CoraExactValues) {
  const NodeTask& t = loaded("cora", true);
  // Node 0 (allx row 0): words 19, 81, 146, 315, 774, 877, 1194, 1247, 1274; label 3.
  EXPECT_EQ(t.labels[0], 3);
  EXPECT_EQ(row_nnz(t, 0), 9);
  for (int64_t c : {19, 81, 146, 315, 774, 877, 1194, 1247, 1274})
    EXPECT_EQ(t.features.at(0, c), 1.0f / 9.0f) << c;
  // test.index line 1 is 2692: tx row 0 (15 words, the first 311, 314, 353) goes there.
  EXPECT_EQ(row_nnz(t, 2692), 15);
  for (int64_t c : {311, 314, 353, 505, 510})
    EXPECT_EQ(t.features.at(2692, c), 1.0f / 15) << c;
  EXPECT_EQ(t.labels[2692], 3);
  EXPECT_EQ(t.features.at(2707, 19), t.features.at(2707, 186));
  EXPECT_GT(t.features.at(2707, 19), 0.0f);
  // The adjacency of node 0 in ind.cora.graph is [633, 1862, 2582].
  EXPECT_EQ(out_neighbours(t.graph, 0), (std::vector<int64_t>{633, 1862, 2582}));
  EXPECT_EQ(out_neighbours(t.graph, 2), (std::vector<int64_t>{1, 332, 1454, 1666, 1986}));
  EXPECT_EQ(t.graph.max_out_degree(), 168);
  EXPECT_EQ(t.graph.out_degree(1358), 168);
  // Raw features: 49,216 ones (31,261 from allx, 17,955 from tx), nothing else.
  const NodeTask& raw = loaded("cora", false);
  EXPECT_EQ(std::count(raw.features.data(), raw.features.data() + raw.features.numel(), 1.0f),
            49216);
  EXPECT_EQ(raw.labels, t.labels);
  EXPECT_EQ(raw.graph.src(), t.graph.src());
  EXPECT_EQ(raw.graph.dst(), t.graph.dst());
}

TEST(Planetoid, CiteSeerCountsSplitAndPadding) {
  const NodeTask& t = loaded("citeseer", true);
  EXPECT_EQ(t.name, "CiteSeer");
  EXPECT_EQ(t.graph.num_nodes(), 3327);
  EXPECT_EQ(t.graph.num_edges(), 9104);
  EXPECT_EQ(t.features.shape(), Shape({3327, 3703}));
  EXPECT_EQ(t.num_classes, 6);
  EXPECT_EQ(t.train, range(0, 120));
  EXPECT_EQ(t.val, range(120, 620));
  ASSERT_EQ(t.test.size(), 1000u);
  EXPECT_TRUE(std::is_sorted(t.test.begin(), t.test.end()));
  EXPECT_EQ(t.test.front(), 2312);
  EXPECT_EQ(t.test.back(), 3326);
  EXPECT_EQ(histogram(t, t.train), std::vector<int64_t>(6, 20));
  EXPECT_EQ(histogram(t, t.val), (std::vector<int64_t>{29, 86, 116, 106, 94, 69}));
  EXPECT_EQ(histogram(t, t.test), (std::vector<int64_t>{77, 182, 181, 231, 169, 160}));
  // Over all nodes, class 0 includes the 15 padded nodes.
  EXPECT_EQ(histogram(t, range(0, 3327)), (std::vector<int64_t>{264, 590, 668, 701, 596, 508}));
  EXPECT_EQ(t.graph.num_isolated_nodes(), 48);
  expect_clean_symmetric_sorted(t.graph);
  // The 15 ids in 2312 .. 3326 that test.index skips: zero features, label 0, not in the split.
  const std::set<int64_t> test(t.test.begin(), t.test.end());
  std::vector<int64_t> padded, empty_rows;
  for (int64_t i = 2312; i < 3327; ++i)
    if (!test.count(i)) padded.push_back(i);
  for (int64_t i = 0; i < 3327; ++i)
    if (row_nnz(t, i) == 0) empty_rows.push_back(i);
  EXPECT_EQ(padded.size(), 15u);
  EXPECT_EQ(std::vector<int64_t>(padded.begin(), padded.begin() + 4),
            (std::vector<int64_t>{2407, 2489, 2553, 2682}));
  EXPECT_EQ(empty_rows, padded);
  for (int64_t i : padded)
    EXPECT_EQ(t.labels[i], 0);
  // test.index line 1 is 2488: tx row 0 (41 words, label 2).
  EXPECT_EQ(row_nnz(t, 2488), 41);
  EXPECT_EQ(t.labels[2488], 2);
  EXPECT_EQ(t.features.at(2488, 19), 1.0f / 41);
  const NodeTask& raw = loaded("citeseer", false);
  EXPECT_EQ(std::count(raw.features.data(), raw.features.data() + raw.features.numel(), 1.0f),
            105165);
}

TEST(Planetoid, FeaturesNormalisedOrBinary) {
  for (const std::string name : {"cora", "citeseer"}) {
    const NodeTask& norm = loaded(name, true);
    const NodeTask& raw = loaded(name, false);
    ASSERT_EQ(norm.features.shape(), raw.features.shape());
    const int64_t n = raw.features.size(0), f = raw.features.size(1);
    for (int64_t i = 0; i < n; ++i) {
      double sum_norm = 0;
      float sum_raw = 0;
      for (int64_t c = 0; c < f; ++c) {
        const float r = raw.features.at(i, c);
        ASSERT_TRUE(r == 0.0f || r == 1.0f) << name << " row " << i << " col " << c;
        sum_raw += r;
        sum_norm += norm.features.at(i, c);
      }
      for (int64_t c = 0; sum_raw > 0 && c < f; ++c) {
        ASSERT_EQ(norm.features.at(i, c), raw.features.at(i, c) / sum_raw) << name << " " << i;
      }
      EXPECT_NEAR(sum_norm, sum_raw > 0 ? 1.0 : 0.0, 1e-5) << name << " row " << i;
    }
  }
}

TEST(Planetoid, NameIsCaseInsensitiveAndChecked) {
  const NodeTask t = load_planetoid(dataset_dir("cora"), "CoRa");
  EXPECT_EQ(t.name, "Cora");
  EXPECT_EQ(t.labels, loaded("cora", true).labels);
  EXPECT_THROW(load_planetoid(dataset_dir("cora"), "reddit"), InvalidArgument);
}

TEST(Planetoid, MissingFilesNameTheFullPath) {
  expect_io_error([] { load_planetoid("/nonexistent/dir", "cora"); },
                  {"/nonexistent/dir/ind.cora.x"});
  // pubmed's files are not in the data dir: the same code path reports the first one missing.
  expect_io_error([] { load_planetoid(dataset_dir("pubmed"), "PubMed"); },
                  {dataset_dir("pubmed") + "/ind.pubmed.x"});
}

// A copy of Cora's files in a fresh temporary folder, with one file replaced.
class CorruptCora {
 public:
  CorruptCora() : dir_(fs::temp_directory_path() / "gat_test_planetoid_corrupt") {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (const auto& entry : fs::directory_iterator(dataset_dir("cora")))
      fs::copy_file(entry.path(), dir_ / entry.path().filename());
  }
  ~CorruptCora() { fs::remove_all(dir_); }
  std::string path(const std::string& part) const { return (dir_ / ("ind.cora." + part)).string(); }
  std::string read(const std::string& part) const {
    std::ifstream f(path(part), std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  }
  void write(const std::string& part, const std::string& bytes) const {
    std::ofstream(path(part), std::ios::binary) << bytes;
  }
  void expect_load_error(const std::vector<std::string>& parts) const {
    expect_io_error([&] { load_planetoid(dir_.string(), "cora"); }, parts);
  }

 private:
  fs::path dir_;
};

TEST(Planetoid, RejectsCorruptFiles) {
  {
    CorruptCora c;
    std::string index = c.read("test.index");
    index.replace(index.find('\n', index.find('\n') + 1) + 1, 4, "12x4");  // line 3
    c.write("test.index", index);
    c.expect_load_error({c.path("test.index"), "line 3: '12x4' is not a node id"});
  }
  {
    CorruptCora c;
    c.write("test.index", "1708\n" + c.read("test.index"));  // 1708 twice, 1001 ids
    c.expect_load_error({c.path("test.index"), "1001 node ids, but tx has 1000 rows"});
  }
  {
    CorruptCora c;  // a neighbour id past the last node: defaultdict(list) {0: [5000]}
    const char graph[] =
        "\x80\x02"
        "ccollections\ndefaultdict\n"
        "c__builtin__\nlist\n"
        "\x85R(K\x00]M\x88\x13"
        "au.";
    c.write("graph", std::string(graph, sizeof graph - 1));
    c.expect_load_error({c.path("graph"), "node 0: neighbour 5000 out of range for 2708 nodes"});
  }
  {
    CorruptCora c;  // ally's raw int32 data ends 3 bytes before the end (TUPLE, BUILD, STOP)
    std::string ally = c.read("ally");
    const size_t first = ally.size() - 3 - 1708 * 7 * 4;
    ASSERT_EQ(ally[first], 0);
    ally[first] = 2;
    c.write("ally", ally);
    c.expect_load_error({c.path("ally"), "row 0, column 0 holds 2"});
    ally[first] = 1;  // row 0 now has two ones (columns 0 and 3)
    c.write("ally", ally);
    c.expect_load_error({c.path("ally"), "row 0 has 2 ones"});
  }
  {
    CorruptCora c;  // the last test id moved far away: the padding would dwarf the test rows
    std::string index = c.read("test.index");
    c.write("test.index", index.substr(0, index.rfind('\n', index.size() - 2) + 1) + "99999\n");
    c.expect_load_error({c.path("test.index"), "test ids span 98292 nodes for 1000 rows of tx"});
  }
  {
    CorruptCora c;
    fs::remove(c.path("ty"));
    c.expect_load_error({c.path("ty")});
  }
  {
    CorruptCora c;
    c.write("x", c.read("tx"));  // x must be allx's first rows
    c.expect_load_error({c.path("y"), "140 rows, but x has 1000"});
  }
}

TEST(Planetoid, ReadIndexChecksEveryLine) {
  const fs::path path = fs::temp_directory_path() / "gat_test_planetoid_index";
  auto parse = [&](const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
    return read_planetoid_index(path.string());
  };
  EXPECT_EQ(parse("3\r\n 1\n2\n\n\n"), (std::vector<int64_t>{3, 1, 2}));
  expect_io_error([&] { parse("3\n-1\n"); }, {path.string(), "line 2: '-1' is not a node id"});
  expect_io_error([&] { parse("3\n\n4\n"); }, {"line 2 is blank"});
  expect_io_error([&] { parse("7 8\n"); }, {"line 1: '7 8' is not a node id"});
  expect_io_error([&] { parse("99999999999999999999\n"); }, {"line 1"});
  fs::remove(path);
}

TEST(Planetoid, HeaderExample) {
  const std::string data_dir = gat::testing::data_dir();
  gat::NodeTask cora = gat::load_planetoid(data_dir + "/planetoid/cora", "cora");
  EXPECT_EQ(cora.features.shape(), gat::Shape({2708, 1433}));
  EXPECT_EQ(cora.graph.num_edges(), 10556);
  EXPECT_EQ(cora.train.size(), 140u);
}

}  // namespace
}  // namespace gat

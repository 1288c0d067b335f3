#include "gat/data/planetoid.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>
#include <tuple>
#include <utility>

#include "gat/core/error.h"
#include "gat/io/pickle.h"

namespace gat {

namespace {

using pickle::Kind;

template <typename... Args>
[[noreturn]] void fail(const std::string& path, const Args&... args) {
  throw IoError(detail::concat(path, ": ", args...));
}

std::string read_text(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) fail(path, "no such file");
  std::ifstream f(path, std::ios::binary);
  if (!f.is_open()) fail(path, "cannot open");
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

const pickle::Csr& expect_csr(const pickle::Value& v, const std::string& path) {
  if (v.kind != Kind::kCsr || !v.built)
    fail(path, "expected a scipy csr_matrix, found a ", pickle::kind_name(v.kind));
  return v.csr;
}

// The labels of a [rows, classes] array of one-hot rows: the column of each row's 1. A zero row
// gives 0, as PyG's argmax does.
struct Labels {
  std::vector<int32_t> label;
  int64_t classes = 0;
};

Labels one_hot_labels(const pickle::Value& v, const std::string& path) {
  if (v.kind != Kind::kArray || !v.built || v.array.shape.size() != 2)
    fail(path, "expected a 2-D numpy array of one-hot rows, found a ", pickle::kind_name(v.kind));
  const int64_t rows = v.array.shape[0], k = v.array.shape[1];
  if (k < 1 || k > 1'000'000) fail(path, k, " label columns");
  Labels out{std::vector<int32_t>(rows, 0), k};
  for (int64_t r = 0; r < rows; ++r) {
    int ones = 0;
    for (int64_t c = 0; c < k; ++c) {
      const double x = v.array.get(r * k + c);
      if (x != 0 && x != 1)
        fail(path, "row ", r, ", column ", c, " holds ", x, "; label rows must be one-hot or zero");
      if (x == 1) {
        ++ones;
        out.label[r] = static_cast<int32_t>(c);
      }
    }
    if (ones > 1) fail(path, "row ", r, " has ", ones, " ones; label rows must be one-hot or zero");
  }
  return out;
}

bool same_row(const pickle::Csr& a, const pickle::Csr& b, int64_t r) {
  const int64_t na = a.indptr[r + 1] - a.indptr[r], nb = b.indptr[r + 1] - b.indptr[r];
  return na == nb &&
         std::equal(a.indices.begin() + a.indptr[r], a.indices.begin() + a.indptr[r + 1],
                    b.indices.begin() + b.indptr[r]) &&
         std::equal(a.data.begin() + a.indptr[r], a.data.begin() + a.indptr[r + 1],
                    b.data.begin() + b.indptr[r]);
}

// The (key, neighbour) pairs of the graph dict, every id checked against n nodes.
std::vector<std::pair<int64_t, int64_t>> adjacency(const pickle::Value& v, const std::string& path,
                                                   int64_t n) {
  if (v.kind != Kind::kDict)
    fail(path, "expected a dict of node id -> neighbour list, found a ", pickle::kind_name(v.kind));
  std::vector<std::pair<int64_t, int64_t>> pairs;
  std::vector<char> seen(n, 0);
  for (const auto& [key, list] : v.entries) {
    if (key->kind != Kind::kInt)
      fail(path, "a ", pickle::kind_name(key->kind), " key, not a node id");
    const int64_t i = key->integer;
    if (i < 0 || i >= n) fail(path, "node ", i, " out of range for ", n, " nodes");
    if (seen[i]++) fail(path, "node ", i, " is a key twice");
    if (list->kind != Kind::kList)
      fail(path, "node ", i, ": neighbours are a ", pickle::kind_name(list->kind), ", not a list");
    for (const pickle::ValuePtr& j : list->items) {
      if (j->kind != Kind::kInt)
        fail(path, "node ", i, ": a ", pickle::kind_name(j->kind), " neighbour");
      if (j->integer < 0 || j->integer >= n)
        fail(path, "node ", i, ": neighbour ", j->integer, " out of range for ", n, " nodes");
      pairs.emplace_back(i, j->integer);
    }
  }
  return pairs;
}

}  // namespace

std::vector<int64_t> read_planetoid_index(const std::string& path) {
  const std::string text = read_text(path);
  std::vector<int64_t> ids;
  int64_t line_no = 0, first_blank = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
      line.remove_suffix(1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())))
      line.remove_prefix(1);
    if (line.empty()) {
      if (!first_blank) first_blank = line_no;
      continue;
    }
    if (first_blank) fail(path, "line ", first_blank, " is blank");
    int64_t id = -1;
    auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), id);
    if (ec != std::errc() || p != line.data() + line.size() || id < 0)
      fail(path, "line ", line_no, ": '", line.substr(0, 40), "' is not a node id");
    ids.push_back(id);
  }
  return ids;
}

NodeTask load_planetoid(const std::string& dir, const std::string& name,
                        const PlanetoidOptions& options) {
  std::string key = name;
  for (char& c : key)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const char* pretty = key == "cora"       ? "Cora"
                       : key == "citeseer" ? "CiteSeer"
                       : key == "pubmed"   ? "PubMed"
                                           : nullptr;
  check_arg(pretty != nullptr, "load_planetoid", "name '", name,
            "' is not one of cora, citeseer, pubmed");
  auto path = [&](const char* part) { return dir + "/ind." + key + "." + part; };
  const std::string px = path("x"), py = path("y"), pallx = path("allx"), pally = path("ally"),
                    ptx = path("tx"), pty = path("ty"), pgraph = path("graph"),
                    pindex = path("test.index");

  // Read and check everything before building anything.
  const pickle::ValuePtr vx = pickle::load(px), vallx = pickle::load(pallx),
                         vtx = pickle::load(ptx), vgraph = pickle::load(pgraph);
  const pickle::Csr &x = expect_csr(*vx, px), &allx = expect_csr(*vallx, pallx),
                    &tx = expect_csr(*vtx, ptx);
  const Labels y = one_hot_labels(*pickle::load(py), py),
               ally = one_hot_labels(*pickle::load(pally), pally),
               ty = one_hot_labels(*pickle::load(pty), pty);
  const std::vector<int64_t> test_index = read_planetoid_index(pindex);

  const int64_t a = allx.rows, f = allx.cols, k = ally.classes;
  const int64_t num_train = x.rows, num_val = 500;
  if (x.cols != f) fail(px, x.cols, " feature columns, but allx has ", f);
  if (tx.cols != f) fail(ptx, tx.cols, " feature columns, but allx has ", f);
  if (y.classes != k) fail(py, y.classes, " label columns, but ally has ", k);
  if (ty.classes != k) fail(pty, ty.classes, " label columns, but ally has ", k);
  if (std::ssize(ally.label) != a) fail(pally, ally.label.size(), " rows, but allx has ", a);
  if (std::ssize(y.label) != x.rows) fail(py, y.label.size(), " rows, but x has ", x.rows);
  if (std::ssize(ty.label) != tx.rows) fail(pty, ty.label.size(), " rows, but tx has ", tx.rows);
  if (std::ssize(test_index) != tx.rows)
    fail(pindex, test_index.size(), " node ids, but tx has ", tx.rows, " rows");
  // x and y are the training rows, allx's and ally's first; PyG uses only their count.
  if (num_train + num_val > a)
    fail(px, num_train, " training + ", num_val, " validation nodes exceed allx's ", a, " rows");
  for (int64_t r = 0; r < num_train; ++r) {
    if (!same_row(x, allx, r)) fail(px, "row ", r, " differs from allx's row ", r);
    if (y.label[r] != ally.label[r]) fail(py, "row ", r, " differs from ally's row ", r);
  }
  // Test ids: distinct, the first right after allx's rows (where PyG puts tx).
  std::vector<int64_t> sorted = test_index;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i] == sorted[i - 1]) fail(pindex, "node ", sorted[i], " is listed twice");
  if (!sorted.empty() && sorted[0] != a)
    fail(pindex, "the smallest test id is ", sorted[0], ", expected ", a, " (allx's row count)");
  const int64_t n = sorted.empty() ? a : sorted.back() + 1;
  // Padding fills gaps between test ids (CiteSeer: 15); a span far beyond the test rows is a
  // corrupt index, not a dataset, and would only allocate a huge zero tensor.
  if (n - a - tx.rows > tx.rows)
    fail(pindex, "test ids span ", n - a, " nodes for ", tx.rows, " rows of tx");
  if (n > Graph::kMaxIndex || f > (int64_t{1} << 31) / std::max<int64_t>(n, 1))
    fail(pallx, "features would be ", n, " x ", f, " floats, too many for a dense tensor");
  const std::vector<std::pair<int64_t, int64_t>> pairs = adjacency(*vgraph, pgraph, n);

  NodeTask task;
  task.name = pretty;
  task.num_classes = k;

  // Features: allx's rows, then tx's rows at their test ids; the ids tx skips stay zero.
  task.features = Tensor::zeros({n, f});
  float* feat = task.features.data();
  auto scatter = [&](const pickle::Csr& m, int64_t r, int64_t node) {
    for (int64_t s = m.indptr[r]; s < m.indptr[r + 1]; ++s)
      feat[node * f + m.indices[s]] += static_cast<float>(m.data[s]);
  };
  for (int64_t r = 0; r < a; ++r)
    scatter(allx, r, r);
  for (int64_t r = 0; r < tx.rows; ++r)
    scatter(tx, r, test_index[r]);
  if (options.normalize_features)
    for (int64_t i = 0; i < n; ++i) {
      float* row = feat + i * f;
      double sum = 0;
      for (int64_t c = 0; c < f; ++c)
        sum += row[c];
      if (sum == 0) continue;
      const float s = static_cast<float>(sum);
      for (int64_t c = 0; c < f; ++c)
        row[c] /= s;
    }

  task.labels.assign(n, 0);
  std::copy(ally.label.begin(), ally.label.end(), task.labels.begin());
  for (int64_t r = 0; r < tx.rows; ++r)
    task.labels[test_index[r]] = ty.label[r];

  task.train.resize(num_train);
  std::iota(task.train.begin(), task.train.end(), 0);
  task.val.resize(num_val);
  std::iota(task.val.begin(), task.val.end(), num_train);
  task.test = std::move(sorted);

  // Edges: both directions, no self-loops, no duplicates, sorted by (source, target).
  std::vector<std::pair<int64_t, int64_t>> edges;
  edges.reserve(2 * pairs.size());
  for (auto [i, j] : pairs)
    if (i != j) {
      edges.emplace_back(i, j);
      edges.emplace_back(j, i);
    }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  std::vector<int64_t> src(edges.size()), dst(edges.size());
  for (size_t e = 0; e < edges.size(); ++e)
    std::tie(src[e], dst[e]) = edges[e];
  task.graph = Graph::from_edges(n, src, dst);
  return task;
}

}  // namespace gat

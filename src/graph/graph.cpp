#include "gat/graph/graph.h"

#include <algorithm>

#include "gat/core/error.h"

namespace gat {

namespace {
// Counting sort of the edges by `key`, stable, so edge ids ascend within a node.
void build_index(int64_t n, const std::vector<int32_t>& key, const std::vector<int32_t>& other,
                 std::vector<int64_t>& ptr, std::vector<int32_t>& nbr, std::vector<int32_t>& eid,
                 int64_t& max_deg) {
  const int64_t e_count = static_cast<int64_t>(key.size());
  ptr.assign(n + 1, 0);
  for (int64_t e = 0; e < e_count; ++e)
    ++ptr[key[e] + 1];
  max_deg = 0;
  for (int64_t i = 0; i < n; ++i) {
    max_deg = std::max(max_deg, ptr[i + 1]);
    ptr[i + 1] += ptr[i];
  }
  nbr.resize(e_count);
  eid.resize(e_count);
  std::vector<int64_t> next(ptr.begin(), ptr.end() - 1);
  for (int64_t e = 0; e < e_count; ++e) {
    int64_t slot = next[key[e]]++;
    nbr[slot] = other[e];
    eid[slot] = static_cast<int32_t>(e);
  }
}
}  // namespace

Graph::Graph() : Graph(0, {}, {}) {}

Graph::Graph(int64_t n, std::vector<int32_t> src, std::vector<int32_t> dst)
    : cache_(std::make_shared<Cache>()) {
  auto d = std::make_shared<Data>();
  d->n = n;
  d->src = std::move(src);
  d->dst = std::move(dst);
  build_index(n, d->dst, d->src, d->in_ptr, d->in_src, d->in_edge, d->max_in_degree);
  build_index(n, d->src, d->dst, d->out_ptr, d->out_dst, d->out_edge, d->max_out_degree);
  const size_t e_count = d->src.size();
  std::vector<int32_t> out_slot_of_edge(e_count);
  for (size_t s = 0; s < e_count; ++s)
    out_slot_of_edge[d->out_edge[s]] = static_cast<int32_t>(s);
  d->in_to_out.resize(e_count);
  for (size_t s = 0; s < e_count; ++s)
    d->in_to_out[s] = out_slot_of_edge[d->in_edge[s]];
  d_ = std::move(d);
}

Graph Graph::from_edges(int64_t num_nodes, std::span<const int64_t> src,
                        std::span<const int64_t> dst) {
  const char* where = "Graph::from_edges";
  check_arg(num_nodes >= 0, where, "num_nodes must be non-negative, got ", num_nodes);
  check_arg(num_nodes <= kMaxIndex, where, "num_nodes ", num_nodes, " exceeds the limit ",
            kMaxIndex);
  check_arg(src.size() == dst.size(), where, "source and target lists differ in length (",
            src.size(), " sources, ", dst.size(), " targets)");
  check_arg(static_cast<int64_t>(src.size()) <= kMaxIndex, where, "edge count ", src.size(),
            " exceeds the limit ", kMaxIndex);
  for (size_t e = 0; e < src.size(); ++e) {
    check_arg(src[e] >= 0 && src[e] < num_nodes, where, "edge ", e, ": source ", src[e],
              " out of range for ", num_nodes, " nodes");
    check_arg(dst[e] >= 0 && dst[e] < num_nodes, where, "edge ", e, ": target ", dst[e],
              " out of range for ", num_nodes, " nodes");
  }
  return Graph(num_nodes, std::vector<int32_t>(src.begin(), src.end()),
               std::vector<int32_t>(dst.begin(), dst.end()));
}

Graph Graph::from_edge_index(int64_t num_nodes, std::span<const int64_t> edge_index) {
  check_arg(edge_index.size() % 2 == 0, "Graph::from_edge_index", "edge_index must be [2, E], got ",
            edge_index.size(), " values");
  const size_t e = edge_index.size() / 2;
  return from_edges(num_nodes, edge_index.subspan(0, e), edge_index.subspan(e, e));
}

std::vector<int64_t> Graph::in_degrees() const {
  std::vector<int64_t> deg(num_nodes());
  for (int64_t i = 0; i < num_nodes(); ++i)
    deg[i] = in_degree(i);
  return deg;
}

std::vector<int64_t> Graph::out_degrees() const {
  std::vector<int64_t> deg(num_nodes());
  for (int64_t i = 0; i < num_nodes(); ++i)
    deg[i] = out_degree(i);
  return deg;
}

size_t Graph::memory_bytes() const {
  const Data& d = *d_;
  size_t bytes = (d.in_ptr.size() + d.out_ptr.size()) * sizeof(int64_t);
  for (const std::vector<int32_t>* v :
       {&d.src, &d.dst, &d.in_src, &d.in_edge, &d.out_dst, &d.out_edge, &d.in_to_out})
    bytes += v->size() * sizeof(int32_t);
  return bytes;
}

int64_t Graph::num_self_loops() const {
  int64_t c = 0;
  for (size_t e = 0; e < d_->src.size(); ++e)
    c += d_->src[e] == d_->dst[e];
  return c;
}

int64_t Graph::num_isolated_nodes() const {
  int64_t c = 0;
  for (int64_t i = 0; i < num_nodes(); ++i)
    c += in_degree(i) == 0 && out_degree(i) == 0;
  return c;
}

Graph Graph::without_self_loops() const {
  std::vector<int32_t> s, t;
  s.reserve(d_->src.size());
  t.reserve(d_->dst.size());
  for (size_t e = 0; e < d_->src.size(); ++e) {
    if (d_->src[e] == d_->dst[e]) continue;
    s.push_back(d_->src[e]);
    t.push_back(d_->dst[e]);
  }
  return Graph(num_nodes(), std::move(s), std::move(t));
}

const Graph& Graph::with_self_loops() const {
  std::call_once(cache_->once, [this] {
    const int64_t n = num_nodes();
    Graph base = without_self_loops();
    check_arg(base.num_edges() + n <= kMaxIndex, "Graph::with_self_loops",
              "edge count with self-loops (", base.num_edges() + n, ") exceeds the limit ",
              kMaxIndex);
    std::vector<int32_t> s = base.src(), t = base.dst();
    for (int64_t i = 0; i < n; ++i) {
      s.push_back(static_cast<int32_t>(i));
      t.push_back(static_cast<int32_t>(i));
    }
    cache_->looped = std::unique_ptr<Graph>(new Graph(n, std::move(s), std::move(t)));
  });
  return *cache_->looped;
}

std::string Graph::str() const {
  return "Graph(num_nodes=" + std::to_string(num_nodes()) +
         ", num_edges=" + std::to_string(num_edges()) + ")";
}

}  // namespace gat

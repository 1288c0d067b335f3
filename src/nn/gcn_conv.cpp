#include "gat/nn/gcn_conv.h"

#include <cmath>
#include <sstream>
#include <vector>

#include "gat/core/error.h"
#include "gat/nn/init.h"
#include "gat/ops/add.h"
#include "gat/ops/gcn_aggregate.h"
#include "gat/ops/linear.h"

namespace gat {

GcnNorm gcn_norm(const Graph& graph, bool add_self_loops) {
  // With unit weights, add_remaining_self_loops (drop every loop, append one per node whose
  // weight is the old loop's, 1) is exactly with_self_loops(), which is cached per graph.
  GcnNorm r{add_self_loops ? graph.with_self_loops() : graph, Tensor()};
  const Graph& g = r.graph;
  const int64_t n = g.num_nodes(), e = g.num_edges();
  // deg[i] = in-degree on the target side, self-loop included; deg 0 gives 0, not inf.
  std::vector<float> inv_sqrt(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t deg = g.in_degree(i);
    inv_sqrt[i] = deg > 0 ? 1.0f / std::sqrt(static_cast<float>(deg)) : 0.0f;
  }
  r.edge_weight = Tensor::empty({e});
  float* w = r.edge_weight.data();
  const std::vector<int32_t>& src = g.src();
  const std::vector<int32_t>& dst = g.dst();
  for (int64_t k = 0; k < e; ++k)
    w[k] = inv_sqrt[src[k]] * inv_sqrt[dst[k]];
  return r;
}

GCNConv::GCNConv(const GCNConvOptions& options, Generator& gen) : options_(options), gen_(&gen) {
  const char* where = "GCNConv";
  check_arg(options.in_channels > 0, where, "in_channels must be positive, got ",
            options.in_channels);
  check_arg(options.out_channels > 0, where, "out_channels must be positive, got ",
            options.out_channels);
  check_arg(options.normalize || !options.add_self_loops, where,
            "add_self_loops = true needs normalize = true (self-loops are added by the "
            "normalisation, as in PyG); set add_self_loops = false");
  lin_weight = Variable(Tensor::empty({options.out_channels, options.in_channels}), true);
  if (options.bias) bias = Variable(Tensor::empty({options.out_channels}), true);
  reset_parameters();
}

void GCNConv::reset_parameters() {
  glorot_(lin_weight.mutable_data(), *gen_);
  if (bias.defined()) zeros_(bias.mutable_data());
}

std::vector<std::pair<std::string, Variable>> GCNConv::own_parameters() const {
  std::vector<std::pair<std::string, Variable>> out = {{"lin.weight", lin_weight}};
  if (bias.defined()) out.emplace_back("bias", bias);
  return out;
}

Variable GCNConv::forward(const Variable& x, const Graph& graph) const {
  const char* where = "GCNConv::forward";
  check_shape(x.defined() && x.shape().ndim() == 2, where, "x must be 2-d [N, F_in], got ",
              x.defined() ? x.shape().str() : std::string("(undefined)"));
  check_shape(x.size(0) == graph.num_nodes(), where, "x has ", x.size(0),
              " rows but the graph has ", graph.num_nodes(), " nodes");
  check_shape(x.size(1) == options_.in_channels, where, "x has ", x.size(1),
              " features but in_channels is ", options_.in_channels);
  // Parameters are public (a checkpoint loader assigns them): check them against the options.
  auto check_param = [&](const Variable& p, const char* name, const Shape& expected) {
    check_shape(p.defined() && p.shape() == expected, where, "parameter ", name, " has shape ",
                p.defined() ? p.shape().str() : std::string("(undefined)"), ", expected ",
                expected.str(), " for ", repr());
  };
  check_param(lin_weight, "lin.weight", {options_.out_channels, options_.in_channels});
  if (options_.bias) check_param(bias, "bias", {options_.out_channels});
  // Projecting first makes the gather C wide instead of F_in (PyG's order too).
  return forward_projected(linear(x, lin_weight), graph);
}

Variable GCNConv::forward_projected(const Variable& h, const Graph& graph) const {
  const char* where = "GCNConv::forward_projected";
  check_shape(h.defined() && h.shape().ndim() == 2 && h.size(0) == graph.num_nodes() &&
                  h.size(1) == options_.out_channels,
              where, "h must be [N, out_channels] = [", graph.num_nodes(), ", ",
              options_.out_channels, "], got ",
              h.defined() ? h.shape().str() : std::string("(undefined)"));
  if (options_.bias)
    check_shape(bias.defined() && bias.shape() == Shape{options_.out_channels}, where,
                "parameter bias has shape ",
                bias.defined() ? bias.shape().str() : std::string("(undefined)"), ", expected [",
                options_.out_channels, "] for ", repr());
  Variable out;
  if (options_.normalize) {
    const GcnNorm norm = gcn_norm(graph, options_.add_self_loops);
    out = gcn_aggregate(h, norm.graph, norm.edge_weight);
  } else {
    out = gcn_aggregate(h, graph);
  }
  if (bias.defined()) out = add_bias(out, bias);
  return out;
}

std::string GCNConv::repr() const {
  std::ostringstream os;
  os << "GCNConv(" << options_.in_channels << ", " << options_.out_channels << ")";
  return os.str();
}

}  // namespace gat

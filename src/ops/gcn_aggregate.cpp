// gcn_aggregate: argument checks and autograd wiring around the kernel
// (gat/kernels/gcn_aggregate.h). The op is linear in h, so backward keeps only the graph and the
// edge weights (a handle on the caller's E floats), never h.
#include "gat/ops/gcn_aggregate.h"

#include <utility>

#include "gat/core/error.h"
#include "gat/kernels/gcn_aggregate.h"

namespace gat {

namespace {
constexpr const char* kWhere = "gcn_aggregate";
}  // namespace

Variable gcn_aggregate(const Variable& h, const Graph& graph, const Tensor& edge_weight) {
  check_arg(h.defined(), kWhere, "h is undefined");
  check_shape(h.data().dim() == 2, kWhere, "h must be 2-d [N, C], got shape ", h.shape().str());
  const int64_t n = h.size(0), channels = h.size(1), e = graph.num_edges();
  check_shape(n == graph.num_nodes(), kWhere, "h has ", n, " rows but the graph has ",
              graph.num_nodes(), " nodes");
  if (edge_weight.defined()) {
    const Shape expected{e};
    check_shape(edge_weight.shape() == expected, kWhere, "edge_weight has shape ",
                edge_weight.shape().str(), " but must be [E] = ", expected.str(),
                " for a graph with ", e, " edges");
  }

  Tensor out = Tensor::empty({n, channels});
  const Tensor h_t = h.data();
  gcn_aggregate_forward(graph, channels, h_t.data(),
                        edge_weight.defined() ? edge_weight.data() : nullptr, out.data());

  const Shape h_shape = h_t.shape();
  BackwardFn backward = [graph, channels, edge_weight, h_shape](const Tensor& grad_out,
                                                                const std::vector<bool>& needs) {
    GAT_ASSERT(grad_out.shape() == h_shape, "gradient of shape ", grad_out.shape().str(),
               " for an output of shape ", h_shape.str());
    std::vector<Tensor> grads(needs.size());
    if (needs[0]) {
      grads[0] = Tensor::empty(h_shape);
      gcn_aggregate_backward(graph, channels, edge_weight.defined() ? edge_weight.data() : nullptr,
                             grad_out.data(), grads[0].data());
    }
    return grads;
  };
  return make_output(std::move(out), OpKind::GcnAggregate, {h}, std::move(backward));
}

}  // namespace gat

// gatv2_attention: argument checks and autograd wiring around the fused kernel
// (gat/kernels/gatv2_attention.h). Forward saves lse (O(N·H)) plus references to its inputs'
// tensors; backward recomputes every per-edge value, including the dropout mask, which it
// regenerates from the key drawn here.
#include "gat/ops/gatv2_attention.h"

#include <cmath>
#include <utility>

#include "gat/core/error.h"
#include "gat/kernels/gatv2_attention.h"

namespace gat {

namespace {
constexpr const char* kWhere = "gatv2_attention";
}  // namespace

Variable gatv2_attention(const Variable& xl, const Variable& xr, const Variable& att,
                         const Graph& graph, const Gatv2AttentionOptions& options,
                         Tensor* alpha, const Variable& edge_attr, const Variable& edge_weight) {
  check_arg(xl.defined(), kWhere, "xl is undefined");
  check_arg(xr.defined(), kWhere, "xr is undefined");
  check_arg(att.defined(), kWhere, "att is undefined");
  check_shape(xl.data().dim() == 3, kWhere, "xl must be 3-d [N, H, C], got shape ",
              xl.shape().str());
  const int64_t n = xl.size(0), heads = xl.size(1), channels = xl.size(2);
  const int64_t e = graph.num_edges();
  check_shape(n == graph.num_nodes(), kWhere, "xl has ", n, " rows but the graph has ",
              graph.num_nodes(), " nodes");
  check_shape(xr.shape() == xl.shape(), kWhere, "xr has shape ", xr.shape().str(),
              " but must match xl ", xl.shape().str());
  const Shape att_shape{1, heads, channels};
  check_shape(att.shape() == att_shape, kWhere, "att has shape ", att.shape().str(),
              " but must be [1, H, C] = ", att_shape.str(), " to match xl");
  check_arg(std::isfinite(options.negative_slope) && options.negative_slope >= 0.0f, kWhere,
            "negative_slope must be finite and >= 0, got ", options.negative_slope);
  check_arg(options.dropout >= 0.0f && options.dropout < 1.0f, kWhere,
            "dropout must be in [0, 1), got ", options.dropout);
  check_arg(edge_attr.defined() == edge_weight.defined(), kWhere,
            "edge_attr and edge_weight go together: got ",
            edge_attr.defined() ? "edge_attr without edge_weight" : "edge_weight without edge_attr");
  const bool has_edges = edge_attr.defined();
  int64_t edge_dim = 0;
  if (has_edges) {
    check_shape(edge_attr.shape().ndim() == 2, kWhere, "edge_attr must be 2-d [E, D], got ",
                edge_attr.shape().str());
    edge_dim = edge_attr.size(1);
    check_shape(edge_attr.size(0) == e, kWhere, "edge_attr has ", edge_attr.size(0),
                " rows but the graph has ", e, " edges");
    const Shape w_shape{heads * channels, edge_dim};
    check_shape(edge_weight.shape() == w_shape, kWhere, "edge_weight has shape ",
                edge_weight.shape().str(), " but must be [H·C, D] = ", w_shape.str());
  }
  const bool drop = options.training && options.dropout > 0.0f;
  check_arg(!drop || options.generator != nullptr, kWhere,
            "generator is null, but training with dropout ", options.dropout,
            " needs one (options.generator)");

  Gatv2AttentionArgs args;
  args.heads = heads;
  args.channels = channels;
  args.negative_slope = options.negative_slope;
  args.edge_dim = edge_dim;
  if (drop) {
    args.dropout = options.dropout;
    args.dropout_key = options.generator->next_key();  // one key per call, reused by backward
  }

  Tensor out = Tensor::empty({n, heads, channels});
  Tensor lse = Tensor::empty({n, heads});
  if (alpha) *alpha = Tensor::empty({e, heads});
  const Tensor xl_t = xl.data(), xr_t = xr.data(), att_t = att.data();
  const Tensor ea_t = has_edges ? edge_attr.data() : Tensor(),
               ew_t = has_edges ? edge_weight.data() : Tensor();
  const Gatv2EdgeInputs edges{has_edges ? ea_t.data() : nullptr,
                              has_edges ? ew_t.data() : nullptr};
  gatv2_attention_forward(graph, args, xl_t.data(), xr_t.data(), att_t.data(), edges, out.data(),
                          lse.data(), alpha ? alpha->data() : nullptr);

  BackwardFn backward = [graph, args, xl_t, xr_t, att_t, ea_t, ew_t, has_edges, lse](
                            const Tensor& grad_out, const std::vector<bool>& needs) {
    GAT_ASSERT(grad_out.shape() == xl_t.shape(), "gradient of shape ", grad_out.shape().str(),
               " for an output of shape ", xl_t.shape().str());
    std::vector<Tensor> grads(needs.size());
    float* ptr[5] = {nullptr, nullptr, nullptr, nullptr, nullptr};
    const Shape shapes[5] = {xl_t.shape(), xr_t.shape(), att_t.shape(),
                             has_edges ? ea_t.shape() : Shape{}, has_edges ? ew_t.shape() : Shape{}};
    for (size_t k = 0; k < needs.size(); ++k) {
      if (!needs[k]) continue;
      grads[k] = Tensor::empty(shapes[k]);
      ptr[k] = grads[k].data();
    }
    const Gatv2EdgeInputs edges{has_edges ? ea_t.data() : nullptr,
                                has_edges ? ew_t.data() : nullptr};
    gatv2_attention_backward(graph, args, xl_t.data(), xr_t.data(), att_t.data(), edges,
                             lse.data(), grad_out.data(), ptr[0], ptr[1], ptr[2], ptr[3], ptr[4]);
    return grads;
  };
  std::vector<Variable> inputs = {xl, xr, att};
  if (has_edges) {
    inputs.push_back(edge_attr);
    inputs.push_back(edge_weight);
  }
  return make_output(std::move(out), OpKind::Gatv2Attention, std::move(inputs),
                     std::move(backward));
}

}  // namespace gat

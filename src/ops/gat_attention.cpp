// gat_attention: argument checks and autograd wiring around the fused kernel
// (gat/kernels/gat_attention.h). Forward saves s_src, s_dst and lse (O(N·H)) plus references to
// its inputs' tensors and its output; backward recomputes every per-edge value, including the
// dropout mask, which it regenerates from the key drawn here.
#include "gat/ops/gat_attention.h"

#include <cmath>
#include <utility>

#include "gat/core/error.h"
#include "gat/kernels/gat_attention.h"

namespace gat {

namespace {
constexpr const char* kWhere = "gat_attention";

void check_att(const Variable& att, const char* name, int64_t heads, int64_t channels) {
  check_arg(att.defined(), kWhere, name, " is undefined");
  const Shape expected{1, heads, channels};
  check_shape(att.shape() == expected, kWhere, name, " has shape ", att.shape().str(),
              " but must be [1, H, C] = ", expected.str(), " to match x");
}
}  // namespace

Variable gat_attention(const Variable& x, const Variable& att_src, const Variable& att_dst,
                       const Graph& graph, const GatAttentionOptions& options, Tensor* alpha,
                       const Variable& edge_score, const Variable& bias) {
  check_arg(x.defined(), kWhere, "x is undefined");
  check_shape(x.data().dim() == 3, kWhere, "x must be 3-d [N, H, C], got shape ", x.shape().str());
  const int64_t n = x.size(0), heads = x.size(1), channels = x.size(2);
  const int64_t e = graph.num_edges();
  check_shape(n == graph.num_nodes(), kWhere, "x has ", n, " rows but the graph has ",
              graph.num_nodes(), " nodes");
  check_att(att_src, "att_src", heads, channels);
  check_att(att_dst, "att_dst", heads, channels);
  if (edge_score.defined()) {
    const Shape expected{e, heads};
    check_shape(edge_score.shape() == expected, kWhere, "edge_score has shape ",
                edge_score.shape().str(), " but must be [E, H] = ", expected.str());
  }
  if (bias.defined())
    check_shape(bias.shape() == Shape{heads * channels}, kWhere, "bias has shape ",
                bias.shape().str(), " but must be [H·C] = [", heads * channels, "]");
  check_arg(std::isfinite(options.negative_slope) && options.negative_slope >= 0.0f, kWhere,
            "negative_slope must be finite and >= 0, got ", options.negative_slope);
  check_arg(options.dropout >= 0.0f && options.dropout < 1.0f, kWhere,
            "dropout must be in [0, 1), got ", options.dropout);
  const bool drop = options.training && options.dropout > 0.0f;
  check_arg(!drop || options.generator != nullptr, kWhere,
            "generator is null, but training with dropout ", options.dropout,
            " needs one (options.generator)");

  GatAttentionArgs args;
  args.heads = heads;
  args.channels = channels;
  args.negative_slope = options.negative_slope;
  if (drop) {
    args.dropout = options.dropout;
    args.dropout_key = options.generator->next_key();  // one key per call, reused by backward
  }

  Tensor out = Tensor::empty({n, heads, channels});
  Tensor s_src = Tensor::empty({n, heads});
  Tensor s_dst = Tensor::empty({n, heads});
  Tensor lse = Tensor::empty({n, heads});
  if (alpha) *alpha = Tensor::empty({e, heads});
  const Tensor x_t = x.data(), as_t = att_src.data(), ad_t = att_dst.data();
  const Tensor es_t = edge_score.defined() ? edge_score.data() : Tensor();
  const bool has_es = es_t.defined(), has_bias = bias.defined();
  gat_attention_forward(graph, args, x_t.data(), as_t.data(), ad_t.data(),
                        has_es ? es_t.data() : nullptr, has_bias ? bias.data().data() : nullptr,
                        out.data(), s_src.data(), s_dst.data(), lse.data(),
                        alpha ? alpha->data() : nullptr);

  // Inputs in a fixed order: x, att_src, att_dst, then edge_score and bias when given.
  std::vector<Variable> inputs = {x, att_src, att_dst};
  if (has_es) inputs.push_back(edge_score);
  if (has_bias) inputs.push_back(bias);
  // The eight-head backward also reads the output and the bias (D = ⟨g, out − bias⟩ per node and
  // head); other shapes do not keep them alive.
  const bool keep_out = gat_attention_backward_reads_output(args);
  const Tensor out_t = keep_out ? out : Tensor();
  const Tensor bias_t = keep_out && has_bias ? bias.data() : Tensor();
  BackwardFn backward = [graph, args, x_t, as_t, ad_t, es_t, s_src, s_dst, lse, out_t, bias_t,
                         has_es, has_bias](const Tensor& grad_out, const std::vector<bool>& needs) {
    GAT_ASSERT(grad_out.shape() == x_t.shape(), "gradient of shape ", grad_out.shape().str(),
               " for an output of shape ", x_t.shape().str());
    std::vector<Tensor> grads(needs.size());
    // ptr: x, att_src, att_dst, edge_score, bias; slot: each one's index among the inputs.
    float* ptr[5] = {nullptr, nullptr, nullptr, nullptr, nullptr};
    const size_t slot[5] = {0, 1, 2, 3, has_es ? 4u : 3u};
    const Shape shapes[5] = {x_t.shape(), as_t.shape(), ad_t.shape(),
                             has_es ? es_t.shape() : Shape{}, Shape{x_t.size(1) * x_t.size(2)}};
    for (int k = 0; k < 5; ++k) {
      if ((k == 3 && !has_es) || (k == 4 && !has_bias) || !needs[slot[k]]) continue;
      grads[slot[k]] = Tensor::empty(shapes[k]);
      ptr[k] = grads[slot[k]].data();
    }
    gat_attention_backward(graph, args, x_t.data(), as_t.data(), ad_t.data(),
                           has_es ? es_t.data() : nullptr, s_src.data(), s_dst.data(), lse.data(),
                           out_t.defined() ? out_t.data() : nullptr,
                           bias_t.defined() ? bias_t.data() : nullptr, grad_out.data(),
                           ptr[0], ptr[1], ptr[2], ptr[3], ptr[4]);
    return grads;
  };
  return make_output(std::move(out), OpKind::GatAttention, std::move(inputs), std::move(backward));
}

}  // namespace gat

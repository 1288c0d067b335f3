#include "gat/nn/graph_classifier.h"

#include "gat/core/error.h"
#include "gat/ops/activation.h"
#include "gat/ops/segment_attention_pool.h"

namespace gat {

namespace {

// Validated before any member is built, so the error names this class.
GATConvOptions conv1_options(const GraphClassifierOptions& o) {
  check_arg(o.in_channels > 0 && o.hidden_channels > 0 && o.out_channels > 0 && o.heads > 0,
            "GraphClassifier",
            "in_channels, hidden_channels, out_channels and heads must be positive, got ",
            o.in_channels, ", ", o.hidden_channels, ", ", o.out_channels, ", ", o.heads);
  return {.in_channels = o.in_channels,
          .out_channels = o.hidden_channels,
          .heads = o.heads,
          .concat = true,
          .negative_slope = o.negative_slope};
}

GATConvOptions conv2_options(const GraphClassifierOptions& o) {
  return {.in_channels = o.hidden_channels * o.heads,
          .out_channels = o.hidden_channels,
          .heads = o.heads,
          .concat = true,
          .negative_slope = o.negative_slope};
}

// Built in the member order, so the parameters are drawn as conv1, conv2, pool, lin.
std::optional<AttentionalAggregation> make_pool(const GraphClassifierOptions& o, Generator& gen) {
  if (o.pooling != GraphPooling::Attention) return std::nullopt;
  const int64_t width = o.hidden_channels * o.heads;
  return std::optional<AttentionalAggregation>(std::in_place, width, width, gen);
}

}  // namespace

const char* graph_pooling_name(GraphPooling pooling) {
  return pooling == GraphPooling::Attention ? "attention" : "mean";
}

GraphPooling parse_graph_pooling(const std::string& name) {
  if (name == "attention") return GraphPooling::Attention;
  if (name == "mean") return GraphPooling::Mean;
  throw InvalidArgument("parse_graph_pooling: pooling must be attention or mean, got '" + name +
                        "'");
}

GraphClassifier::GraphClassifier(const GraphClassifierOptions& options, Generator& gen)
    : conv1(conv1_options(options), gen),
      conv2(conv2_options(options), gen),
      pool(make_pool(options, gen)),
      lin(options.hidden_channels * options.heads, options.out_channels, gen),
      options_(options) {}

Variable GraphClassifier::forward(const Variable& x, const Graph& graph,
                                  const std::vector<int64_t>& batch, int64_t num_graphs) const {
  check_shape(static_cast<int64_t>(batch.size()) == graph.num_nodes(), "GraphClassifier::forward",
              "batch must have one entry per node (", graph.num_nodes(), "), got ", batch.size());
  Variable h = elu(conv1.forward(x, graph));
  h = elu(conv2.forward(h, graph));
  Variable r;
  if (pool) {
    r = pool->forward(h, batch, num_graphs);
  } else {
    // Equal gates make the softmax uniform over each graph's nodes: exactly the mean.
    const Variable zero_gate(Tensor::zeros({h.size(0), 1}));
    r = segment_attention_pool(zero_gate, h, batch, num_graphs);
  }
  return lin.forward(r);
}

std::vector<std::pair<std::string, Module*>> GraphClassifier::children() const {
  std::vector<std::pair<std::string, Module*>> out = {{"conv1", const_cast<GATConv*>(&conv1)},
                                                      {"conv2", const_cast<GATConv*>(&conv2)}};
  if (pool) out.emplace_back("pool", const_cast<AttentionalAggregation*>(&*pool));
  out.emplace_back("lin", const_cast<Linear*>(&lin));
  return out;
}

std::string GraphClassifier::repr() const {
  std::string s = "GraphClassifier(\n  (conv1): " + conv1.repr() + "\n  (conv2): " + conv2.repr();
  s += pool ? "\n  (pool): " + pool->repr() : std::string("\n  (pool): mean");
  return s + "\n  (lin): " + lin.repr() + "\n)";
}

}  // namespace gat

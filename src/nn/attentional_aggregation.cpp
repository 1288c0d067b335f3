#include "gat/nn/attentional_aggregation.h"

#include "gat/core/error.h"
#include "gat/ops/segment_attention_pool.h"

namespace gat {

namespace {

// Validated before the Linear members are built, so the error names this class.
int64_t checked_channels(int64_t in_channels, int64_t out_channels) {
  check_arg(in_channels > 0 && out_channels > 0, "AttentionalAggregation",
            "in_channels and out_channels must be positive, got ", in_channels, " and ",
            out_channels);
  return in_channels;
}

}  // namespace

AttentionalAggregation::AttentionalAggregation(int64_t in_channels, int64_t out_channels,
                                               Generator& gen)
    : gate_nn(checked_channels(in_channels, out_channels), 1, gen),
      nn(in_channels, out_channels, gen),
      in_(in_channels),
      out_(out_channels) {}

void AttentionalAggregation::reset_parameters(Generator& gen) {
  gate_nn.reset_parameters(gen);
  nn.reset_parameters(gen);
}

Variable AttentionalAggregation::forward(const Variable& x, const std::vector<int64_t>& batch,
                                         int64_t num_graphs) const {
  check_shape(x.defined() && x.shape().ndim() == 2 && x.size(1) == in_,
              "AttentionalAggregation::forward", "x must be [N, ", in_, "], got ",
              x.defined() ? x.shape().str() : std::string("(undefined)"));
  return segment_attention_pool(gate_nn.forward(x), nn.forward(x), batch, num_graphs);
}

std::vector<std::pair<std::string, Module*>> AttentionalAggregation::children() const {
  return {{"gate_nn", const_cast<Linear*>(&gate_nn)}, {"nn", const_cast<Linear*>(&nn)}};
}

std::string AttentionalAggregation::repr() const {
  return "AttentionalAggregation(gate_nn=" + gate_nn.repr() + ", nn=" + nn.repr() + ")";
}

}  // namespace gat

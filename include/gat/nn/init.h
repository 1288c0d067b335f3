// gat/nn/init.h — parameter initialisers, matching PyG's (torch_geometric.nn.inits).
#pragma once

#include "gat/core/rng.h"
#include "gat/core/tensor.h"

namespace gat {

/// Glorot / Xavier uniform as PyG's glorot(): U(−a, a), a = sqrt(6 / (fan_in + fan_out)) with
/// fan_in = size(-1) and fan_out = size(-2) (so [1, H, C] gives a = sqrt(6 / (H + C)), and a
/// Linear weight [out, in] gives sqrt(6 / (in + out))). 1-d tensors use fan_in = fan_out = size(0).
void glorot_(Tensor& t, Generator& gen);

/// All zeros.
void zeros_(Tensor& t);

}  // namespace gat

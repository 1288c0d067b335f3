// gat/autograd/op_kind.h — the closed list of differentiable ops, with names for messages.
#pragma once

namespace gat {

/// Every op that can appear in an autograd graph. Adding an op adds one line here and one name
/// in op_kind_name(); nothing else is registered anywhere.
enum class OpKind {
  Leaf,
  Matmul,
  Linear,
  Add,
  AddBias,
  Mul,
  Scale,
  Relu,
  Elu,
  LeakyRelu,
  Dropout,
  LogSoftmax,
  NllLoss,
  Sum,
  Mean,
  MseLoss,
  MeanSquare,
  MeanHeads,
  Reshape,
  GatAttention,
  GcnAggregate,
  Gatv2Attention,
  SegmentAttentionPool,
  SelfLoopEdgeAttr,
  AttentionFold,
  SparseDropoutLinear,
};

/// "linear", "gat_attention", ...
const char* op_kind_name(OpKind kind);

}  // namespace gat

#include "gat/autograd/op_kind.h"

namespace gat {

const char* op_kind_name(OpKind kind) {
  switch (kind) {
    case OpKind::Leaf: return "leaf";
    case OpKind::Matmul: return "matmul";
    case OpKind::Linear: return "linear";
    case OpKind::Add: return "add";
    case OpKind::AddBias: return "add_bias";
    case OpKind::Mul: return "mul";
    case OpKind::Scale: return "scale";
    case OpKind::Relu: return "relu";
    case OpKind::Elu: return "elu";
    case OpKind::LeakyRelu: return "leaky_relu";
    case OpKind::Dropout: return "dropout";
    case OpKind::LogSoftmax: return "log_softmax";
    case OpKind::NllLoss: return "nll_loss";
    case OpKind::Sum: return "sum";
    case OpKind::Mean: return "mean";
    case OpKind::MseLoss: return "mse_loss";
    case OpKind::MeanSquare: return "mean_square";
    case OpKind::MeanHeads: return "mean_heads";
    case OpKind::Reshape: return "reshape";
    case OpKind::GatAttention: return "gat_attention";
    case OpKind::GcnAggregate: return "gcn_aggregate";
    case OpKind::Gatv2Attention: return "gatv2_attention";
    case OpKind::SegmentAttentionPool: return "segment_attention_pool";
    case OpKind::SelfLoopEdgeAttr: return "self_loop_edge_attr";
    case OpKind::AttentionFold: return "attention_fold";
    case OpKind::SparseDropoutLinear: return "sparse_dropout_linear";
  }
  return "unknown";
}

}  // namespace gat

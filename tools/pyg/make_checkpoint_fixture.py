"""Writes tests/fixtures/pyg_gat_*.safetensors: a two-layer GAT state_dict saved by PyTorch
Geometric itself, the inputs it was run on, and its logits, so that a test can check that
gat.cpp loads a PyG-written checkpoint and reproduces PyG's output.

Not run by CI (it needs PyG): run it with PyG 2.4 set up as bench/README.md describes
(bench/setup_pyg.sh), e.g.
  PYTHONPATH=/tmp/pyg /usr/bin/python3 tools/pyg/make_checkpoint_fixture.py tests/fixtures

The safetensors files are written by the small writer below (the `safetensors` package is not
in Debian 12); the format is the documented one: u64 header length, JSON header, raw data.
"""
import json
import struct
import sys

import torch
import torch.nn.functional as F
import torch_geometric
from torch_geometric.nn import GATConv


class GAT(torch.nn.Module):
    def __init__(self, in_ch, hid, out_ch, heads, out_heads):
        super().__init__()
        self.conv1 = GATConv(in_ch, hid, heads=heads, dropout=0.6)
        self.conv2 = GATConv(hid * heads, out_ch, heads=out_heads, concat=False, dropout=0.6)

    def forward(self, x, edge_index):
        x = F.dropout(x, p=0.6, training=self.training)
        x = F.elu(self.conv1(x, edge_index))
        x = F.dropout(x, p=0.6, training=self.training)
        return self.conv2(x, edge_index)


def save_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures"
    torch.manual_seed(7)
    n, f, hid, heads, classes = 30, 12, 4, 3, 5
    model = GAT(f, hid, classes, heads, 1)
    with torch.no_grad():  # random biases too, so that every parameter is exercised
        for p in model.parameters():
            p.copy_(torch.randn_like(p) * 0.5)
    src = torch.randint(0, n, (120,))
    dst = torch.randint(0, n, (120,))
    edge_index = torch.stack([src, dst])  # duplicates and self-loops included on purpose
    x = torch.randn(n, f)
    model.eval()
    with torch.no_grad():
        logits = model(x, edge_index)
    config = {"arch": "GAT", "in_channels": f, "hidden_channels": hid, "out_channels": classes,
              "heads": heads, "out_heads": 1, "dropout": 0.6, "attn_dropout": 0.6,
              "negative_slope": 0.2, "add_self_loops": True}
    save_safetensors(f"{out}/pyg_gat_state_dict.safetensors", model.state_dict(),
                     {"format": "pt", "gat.config": json.dumps(config),
                      "written_by": f"torch_geometric {torch_geometric.__version__}, "
                                    f"torch {torch.__version__}"})
    save_safetensors(f"{out}/pyg_gat_io.safetensors",
                     {"x": x, "edge_index": edge_index.to(torch.float32), "logits": logits})
    print("state_dict keys:", list(model.state_dict().keys()))


if __name__ == "__main__":
    main()

"""Writes tests/fixtures/pyg_edge_layers.safetensors: GATConv and GATv2Conv layers with edge
features (edge_dim), run by PyTorch Geometric itself on a small graph, so that a test can check
that gat.cpp's edge term and self-loop fill_value rules give PyG's output.

The file holds, for each layer L in LAYERS: L.<PyG state_dict key> (the parameters, random values)
and L.out (PyG's output in eval mode); and x, edge_index (as float32), edge_attr. The layers'
options are in the metadata under "layers" (JSON).

Not run by CI (it needs PyG): run it with PyG 2.4 set up as bench/README.md describes
(bench/setup_pyg.sh), e.g.
  PYTHONPATH=/tmp/pyg /usr/bin/python3 tools/pyg/make_edge_fixture.py tests/fixtures
"""
import json
import os
import sys

import torch
import torch_geometric
from torch_geometric.nn import GATConv, GATv2Conv

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_checkpoint_fixture import save_safetensors  # noqa: E402

IN, OUT, HEADS, EDGE_DIM = 5, 3, 2, 2
LAYERS = {
    "gat": ("GATConv", dict(concat=True, fill_value="mean")),
    "gat_add": ("GATConv", dict(concat=False, fill_value="add")),
    "gatv2": ("GATv2Conv", dict(concat=True, fill_value="mean")),
    "gatv2_shared": ("GATv2Conv", dict(concat=True, fill_value=0.5, share_weights=True)),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures"
    torch.manual_seed(11)
    n, e = 12, 40
    # Node 11 gets no edge (its self-loop's features are the fill rule's empty case); duplicates
    # and self-loops are likely among 40 random edges on 11 nodes, and two are forced.
    src = torch.randint(0, n - 1, (e,))
    dst = torch.randint(0, n - 1, (e,))
    src[0], dst[0] = 3, 3
    src[1], dst[1] = src[2], dst[2]
    edge_index = torch.stack([src, dst])
    x = torch.randn(n, IN)
    edge_attr = torch.randn(e, EDGE_DIM)
    tensors = {"x": x, "edge_index": edge_index.to(torch.float32), "edge_attr": edge_attr}
    meta = {}
    for name, (kind, opts) in LAYERS.items():
        cls = GATConv if kind == "GATConv" else GATv2Conv
        layer = cls(IN, OUT, heads=HEADS, edge_dim=EDGE_DIM, **opts)
        with torch.no_grad():  # random biases too, so that every parameter is exercised
            for p in layer.parameters():
                p.copy_(torch.randn_like(p) * 0.5)
        layer.eval()
        with torch.no_grad():
            y = layer(x, edge_index, edge_attr)
        for key, t in layer.state_dict().items():
            tensors[f"{name}.{key}"] = t
        tensors[f"{name}.out"] = y
        meta[name] = {"kind": kind, "in_channels": IN, "out_channels": OUT, "heads": HEADS,
                      "edge_dim": EDGE_DIM, **{k: v for k, v in opts.items()}}
        print(name, list(layer.state_dict().keys()))
    save_safetensors(f"{out}/pyg_edge_layers.safetensors", tensors,
                     {"layers": json.dumps(meta),
                      "written_by": f"torch_geometric {torch_geometric.__version__}, "
                                    f"torch {torch.__version__}"})


if __name__ == "__main__":
    main()

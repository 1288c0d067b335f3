#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer harnesses (fuzz/README.md), from the repository's
real files and from small files built here with the standard library only (no numpy needed).

    python3 fuzz/make_seeds.py <repository root> <corpus root>

writes <corpus root>/<harness>/seed-*.  Existing files are overwritten, others (inputs libFuzzer
added to the corpus in earlier runs) are kept.
"""

import json
import pathlib
import pickle
import struct
import sys

# ---- pickle: the Planetoid files, and small ones in the same protocol-2 form -------------------


def short_str(s: bytes) -> bytes:
    return b"U" + bytes([len(s)]) + s


def binint(v: int) -> bytes:
    if 0 <= v < 256:
        return b"K" + bytes([v])
    if 0 <= v < 65536:
        return b"M" + struct.pack("<H", v)
    return b"J" + struct.pack("<i", v)


def ndarray(shape, code: bytes, data: bytes, memo: int = 0) -> bytes:
    """numpy's pickle of a C-order array (numpy.core.multiarray._reconstruct, then BUILD)."""
    put = (lambda k: b"q" + bytes([memo + k])) if memo else (lambda k: b"")
    dims = b"".join(binint(d) for d in shape)
    tup = {0: b")", 1: b"\x85", 2: b"\x86", 3: b"\x87"}[len(shape)] if len(shape) <= 3 else None
    order = b"|" if code[1:] == b"1" else b"<"
    return (b"cnumpy.core.multiarray\n_reconstruct\n" + put(0) + b"cnumpy\nndarray\n" + put(1) +
            b"K\x00\x85" + short_str(b"b") + b"\x87R" + put(2) + b"(K\x01" + dims + tup +
            b"cnumpy\ndtype\n" + short_str(code) + b"K\x00K\x01\x87R" + put(3) + b"(K\x03" +
            short_str(order) + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89T" +
            struct.pack("<i", len(data)) + data + b"tb")


def csr(rows: int, cols: int, indptr, indices, values) -> bytes:
    """scipy's pickle of a csr_matrix: NEWOBJ, then BUILD with the instance's __dict__."""
    i4 = lambda xs: struct.pack("<%di" % len(xs), *xs)
    return (b"cscipy.sparse.csr\ncsr_matrix\nq\x01)\x81q\x02}q\x03(" + short_str(b"format") +
            short_str(b"csr") + short_str(b"_shape") + binint(rows) + binint(cols) + b"\x86" +
            short_str(b"indptr") + ndarray([len(indptr)], b"i4", i4(indptr), memo=10) +
            short_str(b"_cs_matrix__has_sorted_indices") + b"\x88" + short_str(b"indices") +
            ndarray([len(indices)], b"i4", i4(indices)) + short_str(b"maxprint") + binint(50) +
            short_str(b"data") +
            ndarray([len(values)], b"f4", struct.pack("<%df" % len(values), *values)) + b"ub")


def graph_dict(adj) -> bytes:
    """Python 2's pickle of a defaultdict(list) of node id -> neighbour list."""
    body = b""
    for node, nbrs in adj.items():
        body += binint(node) + b"](" + b"".join(binint(j) for j in nbrs) + b"e"
    return (b"ccollections\ndefaultdict\nq\x01c__builtin__\nlist\nq\x02\x85Rq\x03(" + body +
            b"u")


def pickles(root: pathlib.Path):
    proto, stop = b"\x80\x02", b"."
    seeds = {
        "csr_3x4": proto + csr(3, 4, [0, 2, 2, 3], [0, 3, 1], [1.0, 0.5, 2.0]) + stop,
        "csr_empty": proto + csr(0, 5, [0], [], []) + stop,
        "onehot_i4": proto + ndarray([3, 2], b"i4", struct.pack("<6i", 1, 0, 0, 1, 1, 0)) + stop,
        "array_f8": proto + ndarray([2], b"f8", struct.pack("<2d", 0.25, -1.0)) + stop,
        "array_u1": proto + ndarray([4], b"u1", b"\x00\x01\x02\x03") + stop,
        "array_0d": proto + ndarray([], b"i8", struct.pack("<q", 7)) + stop,
        "graph": proto + graph_dict({0: [1, 2], 1: [0], 2: [0, 633], 633: [2]}) + stop,
        # Python 3's own protocol-2 pickles of plain containers (EMPTY_DICT, SETITEMS, APPENDS,
        # BINPUT, TUPLE*, NEWTRUE, NONE): the subset also covers them.
        "py_dict": pickle.dumps({0: [1, 2, 300, 70000], 1: [], 2: [0]}, protocol=2),
        "py_nested": pickle.dumps([(1, 2), (True, False, None), [[0]], ()], protocol=2),
    }
    for name, data in seeds.items():
        yield "seed-" + name + ".pkl", data
    for path in sorted((root / "data" / "planetoid").glob("*/ind.*")):
        # The real files up to 32 KiB (x, y, ty): larger ones (allx, ally, tx, graph) only slow
        # the fuzzer down; graph's defaultdict form is in the seeds above.
        if path.suffix != ".index" and path.stat().st_size <= 32768:
            yield "seed-" + path.name, path.read_bytes()


# ---- safetensors -------------------------------------------------------------------------------


def safetensors_file(header: dict, buffer: bytes, pad: bool = True) -> bytes:
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + buffer


def safetensors(root: pathlib.Path):
    f32 = struct.pack("<6f", 1, 2, 3, 4, 5, 6)
    cfg = {"arch": "GAT", "in_channels": 3, "hidden_channels": 2, "out_channels": 2, "heads": 1}
    seeds = {
        "f32_2x3": ({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}, f32),
        "dtypes": ({"__metadata__": {"format": "pt", "gat.config": json.dumps(cfg)},
                    "a": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]},
                    "b": {"dtype": "F16", "shape": [2], "data_offsets": [8, 12]},
                    "c": {"dtype": "BF16", "shape": [1, 1, 2], "data_offsets": [12, 16]},
                    "d": {"dtype": "F32", "shape": [], "data_offsets": [16, 20]}},
                   struct.pack("<d", 0.5) + b"\x00\x3c\x00\xbc" + b"\x80\x3f\x00\xc0" +
                   struct.pack("<f", 9)),
        "empty": ({}, b""),
        "zero_size": ({"z": {"dtype": "F32", "shape": [0, 4], "data_offsets": [0, 0]}}, b""),
        "unsupported": ({"i": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}}, b"\0" * 8),
    }
    for name, (header, buffer) in seeds.items():
        yield "seed-" + name + ".safetensors", safetensors_file(header, buffer)
    for path in sorted((root / "tests" / "fixtures").glob("*.safetensors")):
        yield "seed-" + path.name, path.read_bytes()


# ---- npy ---------------------------------------------------------------------------------------


def npy_file(descr: str, shape, data: bytes, major: int = 1, style: str = "numpy") -> bytes:
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    if style == "numpy":
        text = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (descr, dims)
    else:  # another key order, double quotes, Python 2 longs, no trailing comma
        dims = dims.replace(",", "L,") if shape else dims
        text = '{"shape": (%s), "fortran_order": False, "descr": "%s"}' % (dims, descr)
    head_len = 2 if major == 1 else 4
    total = 6 + 2 + head_len + len(text) + 1
    text += " " * ((64 - total % 64) % 64) + "\n"
    return (b"\x93NUMPY" + bytes([major, 0]) +
            struct.pack("<H" if major == 1 else "<I", len(text)) + text.encode() + data)


def npys(root: pathlib.Path):
    seeds = {
        "f4_2x3": npy_file("<f4", [2, 3], struct.pack("<6f", *range(6))),
        "f8_3": npy_file("<f8", [3], struct.pack("<3d", 0.5, 1e300, -2)),
        "f4_0d": npy_file("<f4", [], struct.pack("<f", 1.5)),
        "i8_edge_index": npy_file("<i8", [2, 4], struct.pack("<8q", 0, 1, 2, 3, 1, 2, 3, 0)),
        "i4_v2": npy_file("<i4", [2, 2], struct.pack("<4i", 0, 1, 1, 0), major=2),
        "i8_python2": npy_file("<i8", [2, 1], struct.pack("<2q", 5, 6), style="python2"),
        "f4_v3_empty": npy_file("<f4", [0, 3], b"", major=3),
    }
    for name, data in seeds.items():
        yield "seed-" + name + ".npy", data


# ---- checkpoint configs ------------------------------------------------------------------------


def configs(root: pathlib.Path):
    seeds = {
        "gat": {"arch": "GAT", "in_channels": 12, "hidden_channels": 4, "out_channels": 5,
                "heads": 3, "out_heads": 1, "dropout": 0.6, "attn_dropout": 0.6,
                "negative_slope": 0.2, "add_self_loops": True, "dataset": "cora",
                "normalize_features": True},
        "gatv2": {"arch": "GATv2", "in_channels": 4, "out_channels": 3, "heads": 2.0},
        "gcn": {"arch": "GCN", "in_channels": 5, "hidden_channels": 16, "out_channels": 3,
                "dropout": 0.5},
        "mlp": {"arch": "mlp", "in_channels": 5, "out_channels": 2},
        "graph_classifier": {"arch": "GraphClassifier", "in_channels": 3, "hidden_channels": 4,
                             "out_channels": 2, "heads": 2, "pooling": "attention",
                             "negative_slope": 0.2},
        "graph_classifier_mean": {"arch": "GraphClassifier", "in_channels": 3,
                                  "out_channels": 2, "pooling": "mean"},
    }
    for name, cfg in seeds.items():
        yield "seed-" + name + ".json", json.dumps(cfg).encode()
    yield "seed-nested.json", b'{"a": [1, -2.5e3, "\\u00e9", null, {"b": [true, false]}]}'
    # The JSON texts of the fixtures' metadata, as checkpoints carry them.
    for path in sorted((root / "tests" / "fixtures").glob("*.safetensors")):
        data = path.read_bytes()
        (n,) = struct.unpack("<Q", data[:8])
        for key, value in json.loads(data[8:8 + n]).get("__metadata__", {}).items():
            if value.startswith("{"):
                yield "seed-%s-%s.json" % (path.stem, key), value.encode()


# ---- graphs: fuzz_graph's own byte layout (see fuzz/fuzz_graph.cpp) ---------------------------


def graphs(root: pathlib.Path):
    def narrow(mode, n, ids):
        return bytes([mode]) + struct.pack("<H", n) + b"".join(
            struct.pack("<H", i + 1) for i in ids)

    def wide(mode, n, ids):
        return bytes([mode | 2]) + struct.pack("<H", n) + b"".join(
            struct.pack("<q", i) for i in ids)

    seeds = {
        "edges_3": narrow(0, 3, [0, 1, 2, 1, 2, 1]),
        "edge_index_loops": narrow(1, 4, [0, 1, 2, 3, 3, 0, 1, 2, 3, 3]),
        "isolated": narrow(0, 100, [5, 7, 7, 5]),
        "no_edges": narrow(16, 4095, []),
        "many_nodes": narrow(16, 3000, [0, 2999, 1500, 0]),
        "wide_valid": wide(1, 5, [0, 4, 4, 0]),
        "wide_out_of_range": wide(0, 5, [0, 2**31, 1, -1]),
        "uneven": narrow(4, 3, [0, 1, 2]),
        "negative_nodes": narrow(8, 3, []),
    }
    for name, data in seeds.items():
        yield "seed-" + name + ".bin", data


HARNESSES = {
    "fuzz_pickle": pickles,
    "fuzz_safetensors": safetensors,
    "fuzz_npy": npys,
    "fuzz_checkpoint_config": configs,
    "fuzz_graph": graphs,
}


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    for harness, make in HARNESSES.items():
        folder = out / harness
        folder.mkdir(parents=True, exist_ok=True)
        count = 0
        for name, data in make(root):
            (folder / name).write_bytes(data)
            count += 1
        print("%s: %d seeds in %s" % (harness, count, folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes a benchmark graph: a directed power-law graph as an int64 edge_index [2, E] in .npy.

Both sides of bench/compare_pyg.py read the same file (gat bench --graph, pyg_bench.py layer
--graph), so gat.cpp and PyG run on the very same edges.

The graph, for N nodes, E edges and a seed (default 12345), s = 0.7:

  * popularity w_k = (k + 1)^(-s) for k = 0 .. N-1, normalised, given to the node ids in a random
    permutation (hubs spread over the id range). Sources drawn by popularity have a power-law
    out-degree, tail exponent about 1 + 1/s = 2.4; targets drawn uniformly have a binomial
    in-degree.
  * draw M = ceil(1.15 E) (source, target) pairs; drop self-loops and duplicate pairs. If fewer
    than E pairs are left, draw again with M 1.3 times larger. Keep a uniformly random subset of
    exactly E of them.
  * sort by (target, source): destination-major, the order of a CSR keyed by destination.
  * row 0 holds the sources j (the senders), row 1 the targets i, as in PyG's edge_index.

The random draws, all from numpy.random.default_rng(seed) and in this order, are part of the
definition, so a seed names one file: the node permutation; per attempt, M uniform numbers for
the sources (inverse CDF of w), then M uniform target ids; then the E kept positions
(rng.choice without replacement). gat's own generator (gat/graph/generate.h, `gat bench` without
--graph) follows the same algorithm with another random stream: same statistics, other edges.

Usage: bench/gen_graph.py --nodes 100000 --edges 1000000 --out /tmp/pyg_synth/g_100000_1000000.npy
Needs numpy only. Prints the degree statistics of what it wrote.
"""
import argparse
import math
import os
import time

import numpy as np

SKEW = 0.7          # s in w_k = (k + 1)^(-s)
FIRST_DRAW = 1.15   # the first attempt draws this many pairs per edge kept
REDRAW = 1.3        # each further attempt draws this many times more


def power_law_edge_index(num_nodes, num_edges, seed=12345, s=SKEW):
    """int64 array [2, num_edges]: distinct non-loop (source, target) pairs sorted by target."""
    if num_edges > num_nodes * (num_nodes - 1):
        raise ValueError(f'{num_edges} distinct non-loop edges do not fit in {num_nodes} nodes')
    rng = np.random.default_rng(seed)
    popularity = np.arange(1, num_nodes + 1, dtype=np.float64) ** (-s)
    cdf = np.cumsum(popularity / popularity.sum())
    cdf[-1] = 1.0  # so that no uniform draw falls past the last node
    node_of_rank = rng.permutation(num_nodes)

    draw = FIRST_DRAW
    while True:
        m = int(math.ceil(num_edges * draw))
        src = node_of_rank[np.searchsorted(cdf, rng.random(m), side='right')]
        dst = rng.integers(0, num_nodes, size=m)
        not_loop = src != dst
        # One int64 key per pair; np.unique sorts by (source, target) and drops duplicates.
        keys = np.unique(src[not_loop].astype(np.int64) * num_nodes + dst[not_loop])
        del src, dst, not_loop
        if keys.size >= num_edges:
            break
        draw *= REDRAW
    if keys.size > num_edges:
        keys = keys[np.sort(rng.choice(keys.size, size=num_edges, replace=False))]
    src, dst = keys // num_nodes, keys % num_nodes
    order = np.lexsort((src, dst))  # last key first: by target, then source
    return np.stack([src[order], dst[order]]).astype(np.int64)


def degree_stats(edge_index, num_nodes):
    out_deg = np.bincount(edge_index[0], minlength=num_nodes)
    in_deg = np.bincount(edge_index[1], minlength=num_nodes)
    return {'nodes': num_nodes, 'edges': int(edge_index.shape[1]),
            'mean_degree': edge_index.shape[1] / max(num_nodes, 1),
            'max_out_degree': int(out_deg.max(initial=0)),
            'max_in_degree': int(in_deg.max(initial=0)),
            'out_degree_p50_p99': [float(np.percentile(out_deg, q)) for q in (50, 99)],
            'nodes_without_out_edges': int((out_deg == 0).sum()),
            'nodes_without_in_edges': int((in_deg == 0).sum())}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--nodes', type=int, required=True, help='N')
    ap.add_argument('--edges', type=int, required=True, help='E, directed, without self-loops')
    ap.add_argument('--seed', type=int, default=12345, help='(default: %(default)s)')
    ap.add_argument('--out', required=True, help='the .npy file to write')
    a = ap.parse_args()
    if a.nodes < 1 or a.edges < 0:
        ap.error('--nodes must be >= 1 and --edges >= 0')
    t0 = time.perf_counter()
    try:
        edge_index = power_law_edge_index(a.nodes, a.edges, a.seed)
    except ValueError as e:
        ap.error(str(e))
    out_dir = os.path.dirname(os.path.abspath(a.out))
    os.makedirs(out_dir, exist_ok=True)
    # Written to a temporary name and renamed, so an interrupted run leaves no partial graph.
    tmp = os.path.join(out_dir, f'.{os.path.basename(a.out)}.{os.getpid()}.tmp.npy')
    np.save(tmp, edge_index)
    os.replace(tmp, a.out)
    print(a.out, degree_stats(edge_index, a.nodes), f'{time.perf_counter() - t0:.1f} s',
          flush=True)


if __name__ == '__main__':
    main()

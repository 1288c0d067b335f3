#!/usr/bin/env python3
"""Side-by-side timing of gat.cpp and PyTorch Geometric (PyG) on the same graph, in one run.

For every graph file and conv (GATConv, GATv2Conv) it runs `gat bench --model layer --json` and
`bench/pyg_bench.py layer` (the same layer run by PyG) --repeats times, alternating which goes
first (gat, pyg, pyg, gat, ...) so that the machine's noise falls on both, each side's figure
being the median of its runs; then it prints gat.cpp's and PyG's figures and their ratio
PyG / gat.cpp (> 1: gat.cpp is faster, or uses less memory). `--cora` adds the GAT paper's Cora
model trained for a fixed number of epochs (200) by `gat train` and by
`bench/pyg_bench.py planetoid --fixed-epochs`, both reading the repository's data/planetoid/cora.

Only ratios measured in one run mean anything: the machines are shared and one machine of a kind
can be 1.4x slower than another.

What is measured, and where the two sides differ (checked against bench/pyg_bench.py and
tools/gat/cmd_bench.cpp):

  same   the graph file (int64 [2, E] edge_index from bench/gen_graph.py), the layer (128 ->
         8 heads x 16, concat, negative slope 0.2, self-loops added, bias, no attention dropout;
         GATConv's projection has no bias, GATv2Conv's two projections have one each,
         share_weights off), random normal features that do not require grad (so neither side
         computes the input gradient dH·W), loss mean(out^2), Adam lr 0.005 without weight
         decay, the thread count (OMP_NUM_THREADS, torch.set_num_threads / gat --threads),
         --steps timed steps after one warm-up step, medians, forward / backward / optimizer
         split the same way.
  differ - PyG keeps the graph as a COO edge_index and removes and re-adds self-loops inside every
           forward (timed); gat.cpp builds its CSR and reverse index with self-loops once, before
           timing (reported here as "graph build", not in the step). That is each library's
           design, but the one-off cost is shown so nobody mistakes it for free.
         - PyG's forward time includes opt.zero_grad() (a few KiB of parameter gradients); gat's
           does not. Negligible.
         - PyG times inference before training (fresh weights), gat.cpp after. Values of the
           weights do not change the work.
         - The loss: PyG's out.pow(2).mean() is two ops (and two backward ops); gat.cpp's
           mean_square(out) is one fused op. The same math, each library's way of writing it.
         - Peak RSS: PyG's includes the Python interpreter and libtorch (shown as "PyG RSS after
           load": the RSS after loading the graph, before the first forward); gat.cpp's includes
           the graph load and CSR build. Both are the process peak over inference and training.
         - Features and weights are drawn by each library's own generator (same distributions,
           different values).
  Cora   gat train --epochs N --patience 0 vs pyg_bench.py planetoid --model gat --fixed-epochs N,
         the same seeds count, the same files (--cora-root). Both evaluate on validation and test
         after every epoch. Wall time is the per-run training loop time each reports (gat:
         seconds, PyG: total_time); the process wall clock, start-up and data loading included,
         is shown too. Accuracy: gat reports the test accuracy of the checkpoint picked by the GAT
         paper's rule (val acc >= best and val loss <= best), PyG's fixed-epoch mode the test
         accuracy at the first epoch with the best val accuracy: close, not the same rule.

PyG is never built or shipped by gat.cpp: set it up once, outside the project, with
`bench/setup_pyg.sh <a git directory of pyg-team/pytorch_geometric>` (bench/README.md). It is
run with Debian's interpreter and PyTorch, PyG's source on PYTHONPATH, OpenBLAS's OpenMP build on
LD_LIBRARY_PATH and tcmalloc in LD_PRELOAD: with Debian's default reference BLAS PyG runs 3-7x
slower, which would flatter gat.cpp, so the script refuses to run without them.

Example:
  bench/compare_pyg.py --gat build/tools/gat/gat --graphs /tmp/pyg_synth/g_100000_1000000.npy \\
      --convs gat,gatv2 --threads 2 --repeats 3 --json /tmp/compare.json
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
PYG_BENCH = os.path.join(BENCH, 'pyg_bench.py')
MULTIARCH = sysconfig.get_config_var('MULTIARCH') or 'x86_64-linux-gnu'
OPENBLAS_DIR = f'/usr/lib/{MULTIARCH}/openblas-openmp'
TCMALLOC = f'/usr/lib/{MULTIARCH}/libtcmalloc_minimal.so.4'
SETUP_HINT = ('Set PyG up once, outside the project (bench/README.md):\n'
              '  bench/setup_pyg.sh <git dir of pyg-team/pytorch_geometric>\n'
              'It installs the Debian packages, unpacks PyG 2.4.0 to /tmp/pyg (--pyg-src) and '
              'writes the graphs to /tmp/pyg_synth.')


def parse_args():
    # The whole docstring: what is compared, and where the two benchmarks differ.
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--gat', default=os.path.join(REPO, 'build/tools/gat/gat'),
                    help='the gat binary (default: %(default)s)')
    ap.add_argument('--pyg-src', default='/tmp/pyg',
                    help='PyG source tree put on PYTHONPATH (default: %(default)s)')
    ap.add_argument('--python', default='/usr/bin/python3',
                    help='interpreter that has torch (default: %(default)s, Debian\'s)')
    ap.add_argument('--graphs', default='/tmp/pyg_synth/g_100000_1000000.npy',
                    help='comma-separated int64 [2, E] edge_index .npy files '
                         '(default: %(default)s)')
    ap.add_argument('--convs', default='gat,gatv2', help='comma-separated: gat, gatv2 '
                    '(default: %(default)s)')
    ap.add_argument('--threads', type=int, default=2, help='threads for both (default: 2)')
    ap.add_argument('--repeats', type=int, default=3,
                    help='runs of each side per (graph, conv), interleaved (default: 3)')
    ap.add_argument('--steps', type=int, default=5,
                    help='timed steps per run after 1 warm-up, both sides (default: 5)')
    ap.add_argument('--mem-cap-gib', type=float, default=22.0,
                    help='PyG\'s address-space cap (pyg_bench.py layer --mem-cap-gib; '
                         'default 22)')
    ap.add_argument('--timeout', type=float, default=1800,
                    help='seconds before one run is abandoned (default: 1800)')
    ap.add_argument('--cora', action='store_true',
                    help='also compare the GAT paper\'s Cora model trained for --cora-epochs '
                         'fixed epochs')
    ap.add_argument('--cora-epochs', type=int, default=200)
    ap.add_argument('--cora-seeds', type=int, default=2, help='runs (seeds) on each side')
    ap.add_argument('--cora-root', default=os.path.join(REPO, 'data', 'planetoid', 'cora'),
                    help='directory with the eight ind.cora.* files, read by both sides: '
                         'gat train --root, pyg_bench.py planetoid --files (default: the '
                         'repository\'s copy, %(default)s)')
    ap.add_argument('--planetoid-root', default=None,
                    help='give PyG this Planetoid root (<root>/Cora/raw/ind.cora.*) instead of '
                         '--cora-root\'s files (pyg_bench.py planetoid --root)')
    ap.add_argument('--no-layer', action='store_true', help='skip the layer comparison')
    ap.add_argument('--json', metavar='OUT', help='also write every run and the summary here')
    a = ap.parse_args()
    a.graph_list = [g for g in a.graphs.split(',') if g]
    a.conv_list = [c for c in a.convs.split(',') if c]
    for c in a.conv_list:
        if c not in ('gat', 'gatv2'):
            ap.error(f'--convs: unknown conv {c!r} (gat, gatv2)')
    if a.repeats < 1 or a.steps < 1 or a.threads < 1:
        ap.error('--repeats, --steps and --threads must be >= 1')
    return a


def thread_env(threads):
    env = dict(os.environ)
    env['OMP_NUM_THREADS'] = str(threads)
    return env


def pyg_env(a):
    """PyG's source first on PYTHONPATH, OpenBLAS's OpenMP build first on LD_LIBRARY_PATH (its
    libblas.so.3 replaces the one Debian's torch would load), tcmalloc preloaded."""
    env = thread_env(a.threads)
    for var, value in (('PYTHONPATH', a.pyg_src), ('LD_LIBRARY_PATH', OPENBLAS_DIR)):
        env[var] = value + (':' + env[var] if env.get(var) else '')
    env['LD_PRELOAD'] = TCMALLOC
    return env


def check_setup(a, need_layer, need_cora):
    """Returns a list of problems; each says how to fix it."""
    problems = []
    if not (os.path.isfile(a.gat) and os.access(a.gat, os.X_OK)):
        problems.append(f'gat binary not found at {a.gat}: build it (cmake -S . -B build '
                        '-DCMAKE_BUILD_TYPE=Release && cmake --build build) or pass --gat')
    for path, what in ((os.path.join(OPENBLAS_DIR, 'libblas.so.3'), 'libopenblas0-openmp'),
                       (TCMALLOC, 'libtcmalloc-minimal4')):
        if not os.path.exists(path):
            problems.append(f'{path} not found (Debian package {what}): without it PyG runs '
                            'slower than it can, which would flatter gat.cpp.\n' + SETUP_HINT)
    if need_cora:
        missing = [p for p in ('x', 'tx', 'allx', 'y', 'ty', 'ally', 'graph', 'test.index')
                   if not os.path.isfile(os.path.join(a.cora_root, 'ind.cora.' + p))]
        if missing:
            problems.append(f'--cora-root {a.cora_root} lacks ind.cora.{{{",".join(missing)}}}')
    if not os.path.isdir(os.path.join(a.pyg_src, 'torch_geometric')):
        problems.append(f'PyG not found: {a.pyg_src}/torch_geometric does not exist.\n'
                        + SETUP_HINT)
    else:
        r = subprocess.run([a.python, '-c', 'import torch, torch_geometric; '
                            'print(torch.__version__, torch_geometric.__version__)'],
                           env=pyg_env(a), capture_output=True, text=True)
        if r.returncode != 0:
            tail = (r.stderr.strip().splitlines() or ['?'])[-1]
            problems.append(f'PyG does not import with {a.python} ({tail}).\n' + SETUP_HINT)
        else:
            tv, pv = (r.stdout.split() + ['?', '?'])[:2]
            a.pyg_versions = f'torch {tv}, PyG {pv}'
    if need_layer:
        for g in a.graph_list:
            if not os.path.isfile(g):
                problems.append(f'graph file {g} not found: bench/gen_graph.py --nodes N '
                                '--edges E --out FILE writes one (bench/setup_pyg.sh writes '
                                '/tmp/pyg_synth/g_<N>_<E>.npy)')
    return problems


def last_json_object(text):
    """The last line of text that parses as a JSON object."""
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith('{'):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def tail(text, n=3):
    lines = [l for l in (text or '').strip().splitlines() if l.strip()]
    return ' | '.join(lines[-n:])[-400:]


def run_gat_layer(a, graph, conv):
    cmd = [a.gat, 'bench', '--graph', graph, '--conv', conv, '--model', 'layer',
           '--threads', str(a.threads), '--steps', str(a.steps), '--warmup', '1', '--json']
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, env=thread_env(a.threads), capture_output=True, text=True,
                           timeout=a.timeout)
    except subprocess.TimeoutExpired:
        return {'ok': False, 'error': f'timed out after {a.timeout:.0f} s'}
    wall = time.perf_counter() - t0
    j = last_json_object(r.stdout) if r.returncode == 0 else None
    if j is None or 'layer' not in j:
        return {'ok': False, 'error': f'exit {r.returncode}: {tail(r.stderr or r.stdout)}'}
    L = j['layer']
    return {'ok': True, 'wall_s': wall,
            'train_s': L['train_step']['median_s'], 'train_best_s': L['train_step']['min_s'],
            'infer_best_s': L['inference']['min_s'], 'fwd_s': L['forward']['median_s'],
            'bwd_s': L['backward']['median_s'], 'opt_s': L['optimizer']['median_s'],
            'infer_s': L['inference']['median_s'], 'peak_rss_mib': j['peak_rss_mib'],
            'peak_train_tensor_mib': L.get('peak_train_tensor_mib'),
            'graph_build_s': j.get('graph_s'), 'edges_with_self_loops':
                j.get('edges_with_self_loops'), 'gemm': j.get('gemm'), 'raw': j}


def run_pyg_layer(a, graph, conv):
    with tempfile.TemporaryDirectory(prefix='compare_pyg_') as tmp:
        out = os.path.join(tmp, 'pyg.json')
        cmd = [a.python, PYG_BENCH, 'layer', '--conv', conv, '--graph', graph, '--threads',
               str(a.threads), '--steps', str(a.steps), '--mem-cap-gib', str(a.mem_cap_gib),
               '--out', out]
        t0 = time.perf_counter()
        try:
            r = subprocess.run(cmd, env=pyg_env(a), capture_output=True, text=True,
                               timeout=a.timeout)
        except subprocess.TimeoutExpired:
            return {'ok': False, 'error': f'timed out after {a.timeout:.0f} s'}
        wall = time.perf_counter() - t0
        j = None
        if os.path.exists(out):
            with open(out) as f:
                j = json.load(f)
    if j is None:
        return {'ok': False, 'error': f'exit {r.returncode}: {tail(r.stderr or r.stdout)}'}
    inf, tr = j.get('infer', {}), j.get('train', {})
    res = {'ok': True, 'wall_s': wall, 'raw': {k: v for k, v in j.items() if k != 'env'},
           'env': j.get('env'), 'baseline_rss_mib': j.get('rss_after_load_mib'),
           'load_s': j.get('load_s')}
    if inf.get('status') != 'ok':
        return dict(res, ok=False, error='inference: ' + inf.get('status', 'missing') + ' ' +
                    inf.get('error', tail(r.stderr))[:200],
                    peak_rss_mib=inf.get('peak_rss_mib'))
    res['infer_s'] = inf['median_s']
    res['infer_best_s'] = min(inf['times_s'])
    if tr.get('status') != 'ok':
        return dict(res, ok=False, error='training: ' + tr.get('status', 'missing') + ' ' +
                    tr.get('error', tail(r.stderr))[:200],
                    peak_rss_mib=tr.get('peak_rss_mib', inf.get('peak_rss_mib')))
    res.update({'train_s': tr['median_s'], 'train_best_s': min(tr['times_s']),
                'fwd_s': tr['median_fwd_s'],
                'bwd_s': tr['median_bwd_s'], 'opt_s': tr['median_opt_s'],
                'peak_rss_mib': tr['peak_rss_mib']})
    return res


def median_of(runs, key):
    vals = [r[key] for r in runs if r.get('ok') and r.get(key) is not None]
    if key.endswith('_best_s'):
        return min(vals) if vals else None
    return statistics.median(vals) if vals else None


def ratio(p, g):
    return p / g if p is not None and g else None


# Each side's figure is the median over its runs of the run's median step. The "best" rows take
# the fastest single step of all runs instead: on a shared machine other work only ever adds time,
# so the minimum is the least disturbed figure (a second view, not a replacement for the median).
METRICS = [('train step', 'train_s'), ('  forward', 'fwd_s'), ('  backward', 'bwd_s'),
           ('  Adam', 'opt_s'), ('inference', 'infer_s'), ('train, best', 'train_best_s'),
           ('infer, best', 'infer_best_s'), ('peak RSS', 'peak_rss_mib')]


def fmt(v, key):
    if v is None:
        return '—'
    if key.endswith('_mib'):
        return f'{v:,.0f} MiB'
    return f'{1e3 * v:,.1f} ms' if v < 10 else f'{v:,.2f} s'


def compare_layer(a, graph, conv, log):
    gat_runs, pyg_runs = [], []
    for rep in range(a.repeats):
        order = ['gat', 'pyg'] if rep % 2 == 0 else ['pyg', 'gat']
        for side in order:
            # A PyG run that failed (out of memory, say) fails the same way again: run it once.
            if side == 'pyg' and pyg_runs and not pyg_runs[0]['ok']:
                continue
            log(f'  {conv} {os.path.basename(graph)} repeat {rep + 1}/{a.repeats}: {side} ...')
            r = run_gat_layer(a, graph, conv) if side == 'gat' else run_pyg_layer(a, graph, conv)
            (gat_runs if side == 'gat' else pyg_runs).append(r)
            log(f'    {"train %.3f s" % r["train_s"] if r.get("train_s") else r.get("error")}')
    row = {'graph': graph, 'conv': conv, 'gat_runs': gat_runs, 'pyg_runs': pyg_runs,
           'gat': {}, 'pyg': {}, 'ratio': {}, 'paired_train_ratios': []}
    for _, key in METRICS:
        g, p = median_of(gat_runs, key), median_of(pyg_runs, key)
        row['gat'][key], row['pyg'][key], row['ratio'][key] = g, p, ratio(p, g)
    for gr, pr in zip(gat_runs, pyg_runs):
        if gr.get('ok') and pr.get('ok'):
            row['paired_train_ratios'].append(pr['train_s'] / gr['train_s'])
    row['gat_errors'] = [r['error'] for r in gat_runs if not r['ok']]
    row['pyg_errors'] = [r['error'] for r in pyg_runs if not r['ok']]
    row['gat']['graph_build_s'] = median_of(gat_runs, 'graph_build_s')
    row['pyg']['baseline_rss_mib'] = median_of(pyg_runs, 'baseline_rss_mib')
    if not any(r['ok'] for r in pyg_runs):
        # Keep what a failed PyG run did measure (inference before a training OOM).
        for key in ('infer_s', 'infer_best_s', 'peak_rss_mib'):
            vals = [r[key] for r in pyg_runs if r.get(key) is not None]
            row['pyg'][key] = statistics.median(vals) if vals else None
            row['ratio'][key] = ratio(row['pyg'][key], row['gat'].get(key))
    return row


def print_layer(row):
    conv = {'gat': 'GATConv', 'gatv2': 'GATv2Conv'}[row['conv']]
    g0 = next((r for r in row['gat_runs'] if r.get('ok')), {})
    edges = g0.get('edges_with_self_loops')
    print(f'\n{conv} on {os.path.basename(row["graph"])}'
          + (f' ({edges:,} edges with self-loops)' if edges else '')
          + f'; {len(row["gat_runs"])} gat.cpp / {len(row["pyg_runs"])} PyG runs, medians')
    print(f'  {"":14s} {"gat.cpp":>12s} {"PyG":>12s} {"PyG / gat.cpp":>14s}')
    for name, key in METRICS:
        r = row['ratio'].get(key)
        print(f'  {name:14s} {fmt(row["gat"].get(key), key):>12s} '
              f'{fmt(row["pyg"].get(key), key):>12s} {(f"{r:.2f}x" if r else "—"):>14s}')
    pr = row['paired_train_ratios']
    if len(pr) > 1:
        print(f'  train-step ratio per repeat: {", ".join(f"{x:.2f}" for x in pr)}')
    extras = []
    if row['gat'].get('graph_build_s') is not None:
        extras.append(f'gat.cpp graph load + CSR build (once, untimed in the step) '
                      f'{1e3 * row["gat"]["graph_build_s"]:.0f} ms')
    if row['pyg'].get('baseline_rss_mib') is not None:
        extras.append(f'PyG RSS after load (interpreter + torch + graph) '
                      f'{row["pyg"]["baseline_rss_mib"]:,.0f} MiB')
    for e in extras:
        print('  ' + e)
    for e in sorted(set(row['pyg_errors'])):
        print(f'  PyG failed: {e}')
    if row['pyg_errors'] and not any(r.get('ok') for r in row['pyg_runs']):
        print('  (PyG\'s figures above come from the failed run: a phase shown finished before '
              'the failure; its peak RSS is where it failed, a lower bound)')
    for e in sorted(set(row['gat_errors'])):
        print(f'  gat.cpp failed: {e}')


def run_gat_cora(a):
    cmd = [a.gat, 'train', '--dataset', 'cora', '--model', 'gat', '--epochs', str(a.cora_epochs),
           '--patience', '0', '--runs', str(a.cora_seeds), '--threads', str(a.threads),
           '--no-download', '--json']
    if a.cora_root:
        cmd += ['--root', a.cora_root]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=thread_env(a.threads), capture_output=True, text=True,
                       timeout=a.timeout)
    wall = time.perf_counter() - t0
    try:
        j = json.loads(r.stdout)
    except ValueError:
        return {'ok': False, 'error': f'exit {r.returncode}: {tail(r.stderr or r.stdout)}'}
    runs = j['runs']
    return {'ok': True, 'process_wall_s': wall,
            'train_s': statistics.mean(x['seconds'] for x in runs),
            'epochs': statistics.mean(x['epochs'] for x in runs),
            'test_acc': statistics.mean(x['test']['accuracy'] for x in runs),
            'test_accs': [x['test']['accuracy'] for x in runs]}


def run_pyg_cora(a):
    with tempfile.TemporaryDirectory(prefix='compare_pyg_') as tmp:
        out = os.path.join(tmp, 'cora.json')
        cmd = [a.python, PYG_BENCH, 'planetoid', '--dataset', 'Cora', '--model', 'gat',
               '--seeds', str(a.cora_seeds), '--fixed-epochs', str(a.cora_epochs), '--threads',
               str(a.threads), '--out', out]
        cmd += ['--root', a.planetoid_root] if a.planetoid_root else ['--files', a.cora_root]
        t0 = time.perf_counter()
        r = subprocess.run(cmd, env=pyg_env(a), capture_output=True, text=True,
                           timeout=a.timeout)
        wall = time.perf_counter() - t0
        if r.returncode != 0 or not os.path.exists(out):
            return {'ok': False, 'error': f'exit {r.returncode}: {tail(r.stderr or r.stdout)}'}
        with open(out) as f:
            j = json.load(f)
    runs = j['runs']
    return {'ok': True, 'process_wall_s': wall,
            'train_s': statistics.mean(x['total_time'] for x in runs),
            'epochs': statistics.mean(x['epochs'] for x in runs),
            'test_acc': statistics.mean(x['test_acc'] for x in runs),
            'test_accs': [x['test_acc'] for x in runs]}


def compare_cora(a, log):
    gat_runs, pyg_runs = [], []
    for rep in range(a.repeats):
        order = ['gat', 'pyg'] if rep % 2 == 0 else ['pyg', 'gat']
        for side in order:
            log(f'  Cora repeat {rep + 1}/{a.repeats}: {side} ...')
            r = run_gat_cora(a) if side == 'gat' else run_pyg_cora(a)
            (gat_runs if side == 'gat' else pyg_runs).append(r)
    res = {'epochs': a.cora_epochs, 'seeds': a.cora_seeds, 'gat_runs': gat_runs,
           'pyg_runs': pyg_runs}
    for side, runs in (('gat', gat_runs), ('pyg', pyg_runs)):
        res[side] = {k: median_of(runs, k) for k in ('train_s', 'process_wall_s', 'test_acc')}
        res[side + '_errors'] = [r['error'] for r in runs if not r['ok']]
    res['ratio'] = {k: ratio(res['pyg'][k], res['gat'][k]) for k in ('train_s', 'process_wall_s')}
    return res


def print_cora(c):
    print(f'\nCora, GAT paper model, {c["epochs"]} fixed epochs x {c["seeds"]} seeds '
          f'(train + eval every epoch); medians of {len(c["gat_runs"])} runs')
    print(f'  {"":26s} {"gat.cpp":>10s} {"PyG":>10s} {"PyG / gat.cpp":>14s}')
    for name, key in (('training loop, per seed', 'train_s'),
                      ('process wall clock', 'process_wall_s')):
        g, p, r = c['gat'].get(key), c['pyg'].get(key), c['ratio'].get(key)
        print(f'  {name:26s} {(f"{g:.2f} s" if g else "—"):>10s} '
              f'{(f"{p:.2f} s" if p else "—"):>10s} {(f"{r:.2f}x" if r else "—"):>14s}')
    g, p = c['gat'].get('test_acc'), c['pyg'].get('test_acc')
    print(f'  {"test accuracy (mean)":26s} {(f"{100 * g:.1f} %" if g else "—"):>10s} '
          f'{(f"{100 * p:.1f} %" if p else "—"):>10s}')
    for e in sorted(set(c['pyg_errors'])):
        print(f'  PyG failed: {e}')
    for e in sorted(set(c['gat_errors'])):
        print(f'  gat.cpp failed: {e}')


def main():
    a = parse_args()
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    problems = check_setup(a, not a.no_layer, a.cora)
    if problems:
        for p in problems:
            print('compare_pyg.py: ' + p, file=sys.stderr)
        return 2
    started = time.strftime('%Y-%m-%d %H:%M:%S %Z')
    result = {'started': started, 'threads': a.threads, 'repeats': a.repeats, 'steps': a.steps,
              'gat': a.gat, 'pyg': a.pyg_versions, 'cpu': cpu_name(),
              'loadavg_at_start': os.getloadavg(), 'layers': [], 'cora': None}
    for graph in ([] if a.no_layer else a.graph_list):
        for conv in a.conv_list:
            result['layers'].append(compare_layer(a, graph, conv, log))
    if a.cora:
        result['cora'] = compare_cora(a, log)

    steps = '' if a.no_layer else f'{a.steps} steps after 1 warm-up per run, '
    print(f'gat.cpp vs PyG ({a.pyg_versions}), {a.threads} threads, {steps}'
          f'{a.repeats} interleaved runs each; started {started}; {result["cpu"]}')
    result['loadavg_at_end'] = os.getloadavg()
    print(f'load average at start {result["loadavg_at_start"][0]:.2f}, at end '
          f'{result["loadavg_at_end"][0]:.2f} (on {os.cpu_count()} CPUs; above that, runs '
          'wait for a CPU)')
    print('Ratio = PyG / gat.cpp: above 1, gat.cpp is faster (or smaller). Medians of the runs\' '
          'medians; "best": fastest single step of all runs.')
    for row in result['layers']:
        print_layer(row)
    if result['cora']:
        print_cora(result['cora'])
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(result, f, indent=1, default=float)
        print(f'\n(every run: {a.json})')
    return 0


def cpu_name():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip() + f', {os.cpu_count()} CPUs'
    except OSError:
        pass
    return '?'


if __name__ == '__main__':
    sys.exit(main())

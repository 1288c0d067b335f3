#!/usr/bin/env python3
"""PyTorch Geometric's side of bench/compare_pyg.py: the same benchmarks as gat.cpp's, run by PyG.

Run it with PyG set up as bench/README.md says (PyG 2.4.0 on Debian's PyTorch, OpenBLAS OpenMP
build, tcmalloc); compare_pyg.py starts it that way. One process per measurement, so that its
peak RSS belongs to that measurement alone. Each subcommand writes one JSON object to --out.

pyg_bench.py layer --conv gat|gatv2 --graph G.npy --out R.json
  One GATConv or GATv2Conv layer, the layer `gat bench --model layer` times:
    * graph: int64 edge_index [2, E] from G.npy (bench/gen_graph.py); N = max id + 1;
    * x: [N, 128] standard normal (torch.Generator seeded 0), not requiring grad, so the input
      gradient dx is computed by neither side;
    * layer: 128 -> 8 heads x 16, concat (output [N, 128]), negative slope 0.2, add_self_loops
      (PyG removes and re-adds self-loops inside every forward, and that is timed), bias, no
      attention dropout; GATv2Conv with share_weights off. Weights from torch.manual_seed(0);
    * loss = mean(out^2); optimiser Adam(lr=0.005), no weight decay;
    * inference phase first: eval mode, torch.no_grad(), 1 warm-up + --steps timed forwards;
    * training phase: train mode, 1 warm-up + --steps timed steps, each
          t0  opt.zero_grad(); out = conv(x, edge_index); loss = out.pow(2).mean()
          t1  loss.backward()
          t2  opt.step()
          t3
      forward = t1 - t0, backward = t2 - t1, optimizer = t3 - t2, step = t3 - t0;
    * reported: the median and every time of each phase, and the process's peak RSS after each
      phase (ru_maxrss only grows, so the figure after training is the peak over both);
    * an address-space cap (RLIMIT_AS, --mem-cap-gib) makes a graph too large for the machine
      fail with an allocation error, reported as status "OOM/alloc-fail", instead of waking the
      kernel's OOM killer.
  JSON: conv, graph, args, env, N, E, params, load_s, rss_after_load_mib, peak_after_load_mib,
        infer {status, warmup_s, times_s, median_s, peak_rss_mib | error},
        train {status, warmup_s, times_s, median_s, median_fwd_s, median_bwd_s, median_opt_s,
               peak_rss_mib | error}.

pyg_bench.py planetoid --dataset Cora --model gat --out R.json
  Training on a Planetoid dataset (public split, features row-normalised), --seeds runs with
  seeds --seed-start, --seed-start + 1, ...; every epoch is one training step (timed) followed by
  an evaluation in eval mode under no_grad (validation loss and accuracy, test accuracy; timed
  apart). Models:
    * gat, gatv2 (the GAT paper, Velickovic et al. 2018): dropout 0.6 on the input,
      GATConv/GATv2Conv(F_in, 8, heads=8, dropout=0.6), ELU, dropout 0.6,
      GATConv/GATv2Conv(64, classes, heads=1, concat=False, dropout=0.6); cross-entropy on the
      training nodes; Adam(lr=0.005, weight_decay=5e-4) on all parameters; up to --max-epochs
      (1000) with the paper's early stopping: patience --patience (100) epochs, the counter reset
      when val acc >= best or val loss <= best, the reported test accuracy that of the last
      epoch with val acc >= best and val loss <= best;
    * gcn, mlp (Kipf & Welling 2017): 16 hidden, ReLU, dropout 0.5 on both layers' inputs,
      GCNConv(cached=True) or Linear; Adam(lr=0.01, weight_decay=5e-4); 200 epochs; the test
      accuracy of the first epoch with the best val acc.
  --fixed-epochs N (what compare_pyg.py --cora uses): exactly N epochs, no early stopping, the
  test accuracy of the first epoch with the best val acc.
  Data: --root, a directory laid out as PyG's Planetoid(root, name) expects (<root>/<Name>/raw/
  ind.<name>.*); or else --files, a directory holding the eight ind.<name>.* files themselves
  (default: the repository's data/planetoid/<name>, which has Cora and CiteSeer), linked into a
  temporary root. Nothing is downloaded.
  JSON: dataset, model, protocol, args, graph, env, runs [{seed, epochs, test_acc, select_epoch,
        select_val_acc, test_at_best_val_acc, final_test_acc, step_time_mean, step_time_median,
        eval_time_mean, total_time}], summary {key: {mean, std}}, peak_rss_mib. total_time is
        the whole loop of one seed: training steps and evaluations.

pyg_bench.py env
  Prints the environment (versions, PyG's path and optional backends, threads, the BLAS and
  allocator the process mapped, CPU, load average) as JSON; bench/setup_pyg.sh uses it to check
  the set-up. The same object is the "env" of every result.
"""
import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
import traceback

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLANETOID_NAMES = {'cora': 'Cora', 'citeseer': 'CiteSeer', 'pubmed': 'PubMed'}
PLANETOID_PARTS = ('x', 'tx', 'allx', 'y', 'ty', 'ally', 'graph', 'test.index')


# ---- process and environment ----------------------------------------------------------------

def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def current_rss_mib():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024.0
    return float('nan')


def mapped_libraries(*words):
    """Real paths of the lib*.so* this process mapped whose path contains one of words."""
    found = set()
    with open('/proc/self/maps') as f:
        for line in f:
            path = line.split()[-1]
            if (path.startswith('/') and os.path.basename(path).startswith('lib')
                    and any(w in path for w in words)):
                found.add(os.path.realpath(path))
    return sorted(found)


def cpu_name():
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                return line.split(':', 1)[1].strip() + f', {os.cpu_count()} CPUs'
    return f'?, {os.cpu_count()} CPUs'


def env_info():
    import torch
    import torch_geometric
    import torch_geometric.typing as pyg_typing
    backends = ('WITH_PYG_LIB', 'WITH_TORCH_SCATTER', 'WITH_TORCH_SPARSE', 'WITH_PT113',
                'WITH_PT20')
    return {
        'python': sys.version.split()[0], 'executable': sys.executable,
        'torch': torch.__version__, 'torch_geometric': torch_geometric.__version__,
        'torch_geometric_path': os.path.dirname(torch_geometric.__file__),
        'pyg_optional_backends': {k: getattr(pyg_typing, k) for k in backends
                                  if hasattr(pyg_typing, k)},
        'threads': torch.get_num_threads(), 'interop_threads': torch.get_num_interop_threads(),
        'blas': mapped_libraries('blas', 'lapack'), 'allocator': mapped_libraries('tcmalloc'),
        'cpu': cpu_name(), 'platform': platform.platform(),
        'loadavg_at_start': os.getloadavg(), 'time': time.strftime('%Y-%m-%d %H:%M:%S %Z'),
    }


def write_json(path, obj):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(obj, f, indent=1, default=float)


def set_threads(n):
    import torch
    torch.set_num_threads(n)


# ---- layer ----------------------------------------------------------------------------------

def cmd_layer(a):
    cap = int(a.mem_cap_gib * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    import numpy as np
    import torch
    from torch_geometric.nn import GATConv, GATv2Conv
    set_threads(a.threads)

    res = {'conv': a.conv, 'graph': a.graph, 'args': vars(a), 'env': env_info()}
    t0 = time.perf_counter()
    edge_index = torch.from_numpy(np.load(a.graph))
    num_nodes = int(edge_index.max()) + 1
    x = torch.randn(num_nodes, 128, generator=torch.Generator().manual_seed(0))
    torch.manual_seed(0)
    conv = (GATConv if a.conv == 'gat' else GATv2Conv)(128, 16, heads=8, concat=True)
    opt = torch.optim.Adam(conv.parameters(), lr=0.005)
    res.update({'N': num_nodes, 'E': edge_index.size(1), 'load_s': time.perf_counter() - t0,
                'rss_after_load_mib': current_rss_mib(), 'peak_after_load_mib': peak_rss_mib(),
                'params': sum(p.numel() for p in conv.parameters())})
    print({k: res[k] for k in ('conv', 'N', 'E', 'rss_after_load_mib')}, flush=True)

    def infer_once():
        t = time.perf_counter()
        conv(x, edge_index)
        return (time.perf_counter() - t,)

    def train_once():
        t0 = time.perf_counter()
        opt.zero_grad()
        out = conv(x, edge_index)  # held until the step ends, like a training loop's output
        loss = out.pow(2).mean()
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        return t3 - t0, t1 - t0, t2 - t1, t3 - t2

    def phase(name, context, run_one, parts=()):
        """1 warm-up + a.steps calls of run_one(), which returns (step, *parts) in seconds.
        A phase that runs out of memory is recorded, not raised: PyG's limit is a result too."""
        try:
            with context():
                times = [run_one() for _ in range(1 + a.steps)]
            step = [t[0] for t in times[1:]]
            r = {'status': 'ok', 'warmup_s': times[0][0], 'times_s': step,
                 'median_s': statistics.median(step)}
            for i, part in enumerate(parts, start=1):
                r[f'median_{part}_s'] = statistics.median(t[i] for t in times[1:])
        except (RuntimeError, MemoryError) as e:
            traceback.print_exc()
            r = {'status': 'OOM/alloc-fail', 'error': str(e)[:300]}
        r['peak_rss_mib'] = peak_rss_mib()
        res[name] = r
        print(name, {k: v for k, v in r.items() if k != 'times_s'}, flush=True)
        write_json(a.out, res)
        return r['status'] == 'ok'

    conv.eval()
    if not phase('infer', torch.no_grad, infer_once) or a.skip_train:
        return 0
    conv.train()
    phase('train', torch.enable_grad, train_once, parts=('fwd', 'bwd', 'opt'))
    return 0


# ---- planetoid ------------------------------------------------------------------------------

def planetoid_models():
    import torch.nn.functional as F
    from torch import nn
    from torch_geometric.nn import GATConv, GATv2Conv, GCNConv

    class GAT(nn.Module):
        """The GAT paper's transductive model; conv is GATConv or GATv2Conv."""

        def __init__(self, conv, in_channels, num_classes):
            super().__init__()
            self.conv1 = conv(in_channels, 8, heads=8, dropout=0.6)
            self.conv2 = conv(8 * 8, num_classes, heads=1, concat=False, dropout=0.6)

        def forward(self, x, edge_index):
            x = F.dropout(x, p=0.6, training=self.training)
            x = F.elu(self.conv1(x, edge_index))
            x = F.dropout(x, p=0.6, training=self.training)
            return self.conv2(x, edge_index)

    class TwoLayer(nn.Module):
        """GCN (two GCNConv) or MLP (two Linear): 16 hidden, ReLU, dropout 0.5."""

        def __init__(self, graph, in_channels, num_classes):
            super().__init__()
            self.graph = graph
            if graph:
                self.layer1 = GCNConv(in_channels, 16, cached=True)
                self.layer2 = GCNConv(16, num_classes, cached=True)
            else:
                self.layer1 = nn.Linear(in_channels, 16)
                self.layer2 = nn.Linear(16, num_classes)

        def forward(self, x, edge_index):
            args = (edge_index,) if self.graph else ()
            x = F.dropout(x, p=0.5, training=self.training)
            x = F.relu(self.layer1(x, *args))
            x = F.dropout(x, p=0.5, training=self.training)
            return self.layer2(x, *args)

    return {
        'gat': lambda f, c: GAT(GATConv, f, c),
        'gatv2': lambda f, c: GAT(GATv2Conv, f, c),
        'gcn': lambda f, c: TwoLayer(True, f, c),
        'mlp': lambda f, c: TwoLayer(False, f, c),
    }


def link_planetoid_root(files_dir, name, root):
    """Links files_dir/ind.<name>.* into root/<PyGName>/raw/, the layout Planetoid reads."""
    raw = os.path.join(root, PLANETOID_NAMES[name], 'raw')
    os.makedirs(raw)
    for part in PLANETOID_PARTS:
        src = os.path.join(os.path.abspath(files_dir), f'ind.{name}.{part}')
        if not os.path.isfile(src):
            raise FileNotFoundError(f'{src} not found: --files must hold the eight ind.{name}.* '
                                    'files (or pass --root, a PyG Planetoid root)')
        os.symlink(src, os.path.join(raw, f'ind.{name}.{part}'))


def train_one_seed(a, data, num_features, num_classes, seed):
    import torch
    import torch.nn.functional as F
    torch.manual_seed(seed)
    model = planetoid_models()[a.model](num_features, num_classes)
    paper = a.model in ('gat', 'gatv2')
    lr = 0.005 if paper else 0.01
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=5e-4)
    if a.fixed_epochs:
        max_epochs, patience = a.fixed_epochs, None
    elif paper:
        max_epochs, patience = a.max_epochs, (a.patience if a.patience > 0 else None)
    else:
        max_epochs, patience = 200, None

    x, edge_index, y = data.x, data.edge_index, data.y
    train, val, test = data.train_mask, data.val_mask, data.test_mask

    def accuracy(out, mask):
        return (out[mask].argmax(-1) == y[mask]).float().mean().item()

    step_times, eval_times = [], []
    best_acc, best_loss, bad_epochs = -1.0, float('inf'), 0
    paper_pick = (None, None, None)          # (test acc, epoch, val acc): the GAT paper's rule
    best_val = (-1.0, None, None)            # (val acc, test acc, epoch): first best val acc
    test_acc = None
    start = time.perf_counter()
    epoch = 0
    for epoch in range(1, max_epochs + 1):
        t0 = time.perf_counter()
        model.train()
        opt.zero_grad()
        out = model(x, edge_index)
        F.cross_entropy(out[train], y[train]).backward()
        opt.step()
        t1 = time.perf_counter()
        model.eval()
        with torch.no_grad():
            out = model(x, edge_index)
            val_loss = F.cross_entropy(out[val], y[val]).item()
            val_acc, test_acc = accuracy(out, val), accuracy(out, test)
        eval_times.append(time.perf_counter() - t1)
        step_times.append(t1 - t0)
        if val_acc > best_val[0]:
            best_val = (val_acc, test_acc, epoch)
        if patience is None:
            continue
        if val_acc >= best_acc or val_loss <= best_loss:
            if val_acc >= best_acc and val_loss <= best_loss:
                paper_pick = (test_acc, epoch, val_acc)
            best_acc, best_loss, bad_epochs = max(best_acc, val_acc), min(best_loss, val_loss), 0
        else:
            bad_epochs += 1
            if bad_epochs == patience:
                break
    total = time.perf_counter() - start
    if patience is None:
        paper_pick = (best_val[1], best_val[2], best_val[0])
    return {'seed': seed, 'epochs': epoch, 'test_acc': paper_pick[0],
            'select_epoch': paper_pick[1], 'select_val_acc': paper_pick[2],
            'test_at_best_val_acc': best_val[1], 'final_test_acc': test_acc,
            'step_time_mean': statistics.mean(step_times),
            'step_time_median': statistics.median(step_times),
            'eval_time_mean': statistics.mean(eval_times), 'total_time': total}


def cmd_planetoid(a):
    import torch
    import torch_geometric.transforms as T
    from torch_geometric.datasets import Planetoid
    set_threads(a.threads)
    name = a.dataset.lower()
    with tempfile.TemporaryDirectory(prefix='pyg_planetoid_') as tmp:
        root = a.root
        if root is None:
            link_planetoid_root(a.files or os.path.join(REPO, 'data', 'planetoid', name), name,
                                tmp)
            root = tmp
        dataset = Planetoid(root, PLANETOID_NAMES[name], transform=T.NormalizeFeatures())
        data = dataset[0]
    in_degree = torch.bincount(data.edge_index[1], minlength=data.num_nodes)
    graph = {'num_nodes': data.num_nodes, 'num_edges_directed': data.edge_index.size(1),
             'num_features': dataset.num_features, 'num_classes': dataset.num_classes,
             'isolated_nodes': int((in_degree == 0).sum()),
             'train/val/test': [int(m.sum()) for m in (data.train_mask, data.val_mask,
                                                       data.test_mask)]}
    print(vars(a), graph, flush=True)
    env = env_info()
    runs = []
    for seed in range(a.seed_start, a.seed_start + a.seeds):
        r = train_one_seed(a, data, dataset.num_features, dataset.num_classes, seed)
        runs.append(r)
        print({k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()}, flush=True)

    def mean_std(key):
        values = [r[key] for r in runs]
        return {'mean': statistics.mean(values),
                'std': statistics.pstdev(values) if len(values) > 1 else 0.0}

    summary = {k: mean_std(k) for k in ('test_acc', 'epochs', 'step_time_mean', 'eval_time_mean',
                                        'total_time', 'test_at_best_val_acc', 'final_test_acc')}
    protocol = (f'fixed{a.fixed_epochs}' if a.fixed_epochs else
                'paper' if a.model in ('gat', 'gatv2') else 'fixed200')
    res = {'dataset': PLANETOID_NAMES[name], 'model': a.model, 'protocol': protocol,
           'args': vars(a), 'graph': graph, 'env': env, 'runs': runs, 'summary': summary,
           'peak_rss_mib': peak_rss_mib()}
    write_json(a.out, res)
    print('SUMMARY', res['dataset'], a.model, protocol,
          f"test {100 * summary['test_acc']['mean']:.2f}"
          f" +- {100 * summary['test_acc']['std']:.2f} %",
          f"epochs {summary['epochs']['mean']:.1f}",
          f"step {1e3 * summary['step_time_mean']['mean']:.2f} ms",
          f"total {summary['total_time']['mean']:.2f} s",
          f"peak RSS {res['peak_rss_mib']:.0f} MiB", flush=True)
    return 0


def cmd_env(a):
    set_threads(a.threads)
    print(json.dumps(env_info(), indent=1))
    return 0


# ---- command line ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='command', required=True)

    lp = sub.add_parser('layer', help='one GATConv / GATv2Conv layer on a benchmark graph')
    lp.add_argument('--conv', choices=['gat', 'gatv2'], required=True)
    lp.add_argument('--graph', required=True, help='int64 [2, E] edge_index .npy')
    lp.add_argument('--steps', type=int, default=5,
                    help='timed steps per phase, after 1 warm-up (default: %(default)s)')
    lp.add_argument('--threads', type=int, default=2, help='(default: %(default)s)')
    lp.add_argument('--mem-cap-gib', type=float, default=22.0,
                    help='address-space cap, GiB (default: %(default)s)')
    lp.add_argument('--skip-train', action='store_true', help='inference phase only')
    lp.add_argument('--out', required=True, help='JSON result')

    pp = sub.add_parser('planetoid', help='train on a Planetoid dataset, all seeds')
    pp.add_argument('--dataset', required=True, choices=['Cora', 'CiteSeer', 'PubMed'])
    pp.add_argument('--model', required=True, choices=['gat', 'gatv2', 'gcn', 'mlp'])
    pp.add_argument('--seeds', type=int, default=10, help='runs (default: %(default)s)')
    pp.add_argument('--seed-start', type=int, default=0, help='(default: %(default)s)')
    pp.add_argument('--fixed-epochs', type=int, default=0,
                    help='run exactly N epochs, no early stopping (default: off)')
    pp.add_argument('--max-epochs', type=int, default=1000,
                    help='gat, gatv2 (default: %(default)s)')
    pp.add_argument('--patience', type=int, default=100,
                    help='gat, gatv2; 0: none (default: %(default)s)')
    pp.add_argument('--threads', type=int, default=2, help='(default: %(default)s)')
    pp.add_argument('--root', help='a PyG Planetoid root (<root>/<Name>/raw/ind.<name>.*)')
    pp.add_argument('--files', help='a directory holding ind.<name>.* (default: the '
                    'repository\'s data/planetoid/<name>)')
    pp.add_argument('--out', required=True, help='JSON result')

    ep = sub.add_parser('env', help='print the environment as JSON')
    ep.add_argument('--threads', type=int, default=2, help='(default: %(default)s)')

    a = ap.parse_args()
    if getattr(a, 'steps', 1) < 1 or a.threads < 1 or getattr(a, 'seeds', 1) < 1:
        ap.error('--steps, --threads and --seeds must be >= 1')
    return {'layer': cmd_layer, 'planetoid': cmd_planetoid, 'env': cmd_env}[a.command](a)


if __name__ == '__main__':
    sys.exit(main())

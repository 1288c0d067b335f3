#!/usr/bin/env bash
# bench/setup_pyg.sh — sets up PyTorch Geometric 2.4.0 on Debian 12's PyTorch (CPU) for
# bench/compare_pyg.py, on this machine and outside the project. bench/README.md says why each
# piece is there.
#
# Usage: bench/setup_pyg.sh PYG_GIT_DIR [NODES:EDGES ...]
#   PYG_GIT_DIR   the git directory (or work tree) of a copy of
#                 github.com/pyg-team/pytorch_geometric; only its tag 2.4.0 is read.
#   NODES:EDGES   benchmark graphs to write (default: 10000:100000 100000:1000000
#                 200000:4000000 500000:10000000).
# Environment: PYG_SRC (default /tmp/pyg), GRAPH_DIR (default /tmp/pyg_synth).
#
# It
#   1. installs the Debian packages that are missing (apt-get, as root or through sudo): Debian's
#      PyTorch and what `import torch_geometric` needs, OpenBLAS's OpenMP build and tcmalloc;
#   2. unpacks PyG's source at tag 2.4.0 into $PYG_SRC with `git archive` (PyG 2.4 is pure Python:
#      nothing is built; it runs from PYTHONPATH);
#   3. writes the graphs $GRAPH_DIR/g_<N>_<E>.npy with bench/gen_graph.py (seed 12345);
#   4. imports PyG in the environment compare_pyg.py runs it in and prints that environment.
# Each step is skipped when its result is already there, so running it again is cheap.
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
PYG_SRC=${PYG_SRC:-/tmp/pyg}
GRAPH_DIR=${GRAPH_DIR:-/tmp/pyg_synth}
TAG=2.4.0
PYTHON=/usr/bin/python3

die() { echo "setup_pyg.sh: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: bench/setup_pyg.sh PYG_GIT_DIR [NODES:EDGES ...] (see bench/README.md)"
GIT_DIR=$1
shift
[ -d "$GIT_DIR/.git" ] && GIT_DIR=$GIT_DIR/.git
git --git-dir="$GIT_DIR" rev-parse -q --verify "refs/tags/$TAG^{commit}" >/dev/null ||
  die "$GIT_DIR is not a git directory of PyG with the tag $TAG"
SIZES=${*:-10000:100000 100000:1000000 200000:4000000 500000:10000000}

# 1. Debian packages. python3-torch is PyTorch 1.13.1 (CPU). The python3-* after it are what
#    PyG 2.4's `import torch_geometric` imports (its scikit-learn dependency is only imported by
#    the parts that use it). libopenblas0-openmp and libtcmalloc-minimal4 are the fast BLAS and
#    allocator PyG is run with (bench/README.md, "Why OpenBLAS and tcmalloc").
PACKAGES="python3-torch python3-numpy python3-scipy python3-psutil python3-tqdm python3-jinja2
  python3-requests python3-pyparsing python3-fsspec libopenblas0-openmp libtcmalloc-minimal4"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "not root and no sudo: install$missing"
    SUDO=sudo
  fi
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086  # one word per package
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi

# 2. PyG's source at the tag, unpacked next to nothing else of the project.
if grep -qs "^__version__ = '$TAG'" "$PYG_SRC/torch_geometric/__init__.py"; then
  echo "PyG $TAG already in $PYG_SRC"
else
  [ ! -e "$PYG_SRC" ] || die "$PYG_SRC exists but holds no PyG $TAG: remove it, or set PYG_SRC"
  staging=$(mktemp -d "${PYG_SRC%/}.XXXXXX")
  git --git-dir="$GIT_DIR" archive "$TAG" | tar -x -C "$staging"
  mv "$staging" "$PYG_SRC"
  echo "PyG $TAG unpacked into $PYG_SRC"
fi

# 3. The benchmark graphs.
mkdir -p "$GRAPH_DIR"
for size in $SIZES; do
  nodes=${size%%:*}
  edges=${size##*:}
  [[ "$nodes" =~ ^[0-9]+$ && "$edges" =~ ^[0-9]+$ ]] ||
    die "bad size '$size' (expected NODES:EDGES)"
  f=$GRAPH_DIR/g_${nodes}_${edges}.npy
  if [ -s "$f" ]; then
    echo "graph $f already there"
  else
    "$PYTHON" "$BENCH/gen_graph.py" --nodes "$nodes" --edges "$edges" --out "$f"
  fi
done

# 4. The environment compare_pyg.py gives PyG (pyg_bench.py prints it as JSON).
MULTIARCH=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("MULTIARCH"))')
OPENBLAS=/usr/lib/$MULTIARCH/openblas-openmp
TCMALLOC=/usr/lib/$MULTIARCH/libtcmalloc_minimal.so.4
RUN="env PYTHONPATH=$PYG_SRC LD_LIBRARY_PATH=$OPENBLAS LD_PRELOAD=$TCMALLOC $PYTHON"
$RUN "$BENCH/pyg_bench.py" env ||
  die "PyG does not import with: $RUN (see bench/README.md)"
echo
echo "ready. PyG runs as:  $RUN bench/pyg_bench.py ..."
echo "compare:             bench/compare_pyg.py --graphs $GRAPH_DIR/g_100000_1000000.npy"

#!/usr/bin/env bash
# The README's main command: installs dependencies, builds, and runs the main job.
# Until the Planetoid datasets land, the main job is `gat demo`: a two-layer GAT trained on a
# generated graph (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
./build/tools/gat/gat demo "$@"

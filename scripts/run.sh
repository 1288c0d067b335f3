#!/usr/bin/env bash
# The README's main command: installs dependencies, builds, and runs the main job.
# The main job trains the GAT paper's model on Cora (the built-in copy of the original files)
# and prints the test accuracy; arguments go to `gat train`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
./build/tools/gat/gat train --dataset cora "$@"

#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, and runs every test with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j "${GAT_JOBS:-$(nproc)}" --timeout 600

#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, and runs every test with CTest; then
# builds the library, the gat tool and the tests again under AddressSanitizer (with
# LeakSanitizer) and UndefinedBehaviorSanitizer in build-sanitize/ and runs the whole suite
# there too. CI runs both passes. GAT_TEST_SANITIZERS=0 skips the second one for a quicker local
# run (README, "Two commands"); GAT_JOBS sets the parallelism (default: every core).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${GAT_JOBS:-$(nproc)}
bash scripts/install-deps.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j "$JOBS" --timeout 600
if [ "${GAT_TEST_SANITIZERS:-1}" = 0 ]; then
  echo "test.sh: GAT_TEST_SANITIZERS=0: the sanitizer pass is skipped"
  exit 0
fi
# -O1 -g1: what the sanitizers need for usable reports, at a fraction of -O2 -g's build time.
# No benchmarks or examples: they run nothing in the suite.
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" -DGAT_SANITIZE_ADDRESS=ON -DGAT_SANITIZE_UNDEFINED=ON \
  -DGAT_BUILD_BENCH=OFF -DGAT_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-sanitize -j "$JOBS"
ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:strict_init_order=1 \
UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-sanitize --output-on-failure -j "$JOBS" --timeout 1200

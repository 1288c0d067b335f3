#!/usr/bin/env bash
# ThreadSanitizer over the OpenMP code: builds gat_tests with clang-14, -fsanitize=thread and
# LLVM's OpenMP runtime (libomp) in build-tsan/, then runs the tests of every threaded kernel and
# layer with 4 threads. GCC's libgomp is not instrumented, so with it TSan reports every barrier
# as a race; libomp's archer tool (OMP_TOOL_LIBRARIES) tells TSan about its barriers and
# reductions, and tests/sanitizers/tsan.supp ignores the runtime's own allocations (see there).
# Installs what it needs (scripts/install-deps.sh --clang); about 15 minutes on 2 cores.
# Exits non-zero on any report or failed test.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${GAT_JOBS:-$(nproc)}
ARCHER=/usr/lib/llvm-14/lib/libarcher.so
bash scripts/install-deps.sh --clang
CC=clang-14 CXX=clang++-14 cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS=-fsanitize=thread -Wno-unknown-warning-option" \
  -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread \
  -DGAT_BUILD_TOOLS=OFF -DGAT_BUILD_BENCH=OFF -DGAT_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-tsan --target gat_tests -j "$JOBS"
# The tests that run OpenMP regions: reductions, GEMM, every attention kernel and op, the sparse
# input path, dropout, the layers, the optimiser.
FILTER='Parallel.*:GemmKernel.*:Gemm/*:GatAttention*:Gatv2Attention*:SegmentAttentionPoolOp.*'
FILTER+=':SparseDropoutLinearOp*:LinearOpThreads.*:GcnAggregate.*:DropoutOp.*:SumOp.*:MeanOp.*'
FILTER+=':AttentionFold.*:EdgeFeatureOps.*:GATConv.*:GATv2Conv.*:NumericalEdgeCases*'
FILTER+=':SparseForward.*:Adam.*'
OMP_NUM_THREADS=4 OMP_TOOL_LIBRARIES="$ARCHER" \
TSAN_OPTIONS="halt_on_error=0 exitcode=66 suppressions=$PWD/tests/sanitizers/tsan.supp" \
  build-tsan/tests/gat_tests --gtest_filter="$FILTER"

#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS] [HARNESS...] — builds gat.cpp's libFuzzer harnesses and runs each for
# SECONDS (default 60), then prints what each did and exits non-zero if any found something.
#
# The harnesses (fuzz/, one per reader of outside files; fuzz/README.md says what each checks):
#   fuzz_pickle             the restricted pickle reader (Planetoid ind.* files)
#   fuzz_safetensors        the safetensors reader (checkpoints, PyG state_dicts)
#   fuzz_npy                the .npy readers (float and int64 arrays, edge lists)
#   fuzz_checkpoint_config  a checkpoint's gat.config: JSON parse, typed field reads, make_model
#   fuzz_graph              Graph::from_edges / from_edge_index and with_self_loops
# Name some of them after SECONDS to run only those.
#
# What it does:
#  1. configures build-fuzz/ with clang-14 (-DGAT_BUILD_FUZZERS=ON: every library built with
#     -fsanitize=fuzzer-no-link,address,undefined, the harnesses with -fsanitize=fuzzer,...) and
#     builds the harnesses;
#  2. writes the seed corpora into build-fuzz/corpus/<harness>/ (fuzz/make_seeds.py: the
#     repository's Planetoid files and test fixtures, and small files built with python3's struct
#     and json modules). Inputs libFuzzer added in earlier runs stay there, so runs accumulate;
#  3. runs each harness with -max_total_time=SECONDS -timeout=10 -rss_limit_mb=2048
#     -detect_leaks=1 and its dictionary (fuzz/*.dict); a crash, hang (> 10 s), leak or
#     out-of-memory input is written to build-fuzz/findings/<harness>/ (crash-*, timeout-*,
#     leak-*, oom-*), the full output to build-fuzz/logs/<harness>.log;
#  4. prints per harness: executions, exec/s, the final coverage (libFuzzer's cov: edges and ft:
#     features) and whether it found anything.
# A harness stops at its first finding. Reproduce one with build-fuzz/fuzz/<harness> <file>;
# minimise it with build-fuzz/fuzz/<harness> -minimize_crash=1 -runs=10000 <file>.
#
# Environment: GAT_FUZZ_JOBS (harnesses run at once, default 1; each uses one core),
# GAT_FUZZ_BUILD_JOBS (parallel compile jobs, default 2), GAT_FUZZ_BUILD_DIR (default
# <repository>/build-fuzz).
#
# Installs what it needs first with `scripts/install-deps.sh --clang`: the project's own
# dependencies plus clang-14 and libclang-rt-14-dev (libFuzzer and the sanitizer runtimes) and
# libomp-14-dev (OpenMP for clang); python3 writes the seeds.
# Exit status: 0 when every harness ran its time without a finding, 1 when one found something,
# 2 when the tools are missing or the build fails.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${GAT_FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${GAT_FUZZ_JOBS:-1}"
build_jobs="${GAT_FUZZ_BUILD_JOBS:-2}"
all_harnesses=(fuzz_pickle fuzz_safetensors fuzz_npy fuzz_checkpoint_config fuzz_graph)

seconds="${1:-60}"
[[ $# -gt 0 ]] && shift
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -lt 1 ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS] [HARNESS...]   (SECONDS: a whole number ≥ 1)" >&2
  exit 2
fi
harnesses=("$@")
[[ ${#harnesses[@]} -eq 0 ]] && harnesses=("${all_harnesses[@]}")
for h in "${harnesses[@]}"; do
  if ! [[ " ${all_harnesses[*]} " == *" $h "* ]]; then
    echo "fuzz.sh: unknown harness '$h' (known: ${all_harnesses[*]})" >&2
    exit 2
  fi
done

# Dictionary of each harness (fuzz/*.dict), where it has one.
declare -A dict=(
  [fuzz_pickle]=pickle.dict
  [fuzz_safetensors]=safetensors.dict
  [fuzz_npy]=npy.dict
  [fuzz_checkpoint_config]=json.dict
)

bash "$(dirname "$0")/install-deps.sh" --clang || exit 2
for tool in clang-14 clang++-14; do
  if ! command -v "$tool" > /dev/null; then
    echo "fuzz.sh: $tool not found; libFuzzer comes with clang. On Debian:" >&2
    echo "  apt-get install clang-14 libclang-rt-14-dev libomp-14-dev" >&2
    exit 2
  fi
done
for tool in cmake python3; do
  command -v "$tool" > /dev/null || { echo "fuzz.sh: $tool not found" >&2; exit 2; }
done

start=$(date +%s)
echo "== configure and build $build"
if ! CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -DGAT_BUILD_FUZZERS=ON \
    -DGAT_BUILD_TESTS=OFF -DGAT_BUILD_TOOLS=OFF -DGAT_BUILD_BENCH=OFF -DGAT_BUILD_EXAMPLES=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build.configure.log" 2>&1; then
  cat "$build.configure.log" >&2
  echo "fuzz.sh: configuring failed (if the fuzzer runtime is missing: apt-get install" \
       "libclang-rt-14-dev)" >&2
  exit 2
fi
mv "$build.configure.log" "$build/configure.log"
if ! cmake --build "$build" -j "$build_jobs" --target "${harnesses[@]}"; then
  echo "fuzz.sh: building the harnesses failed" >&2
  exit 2
fi

echo "== seed corpora"
python3 "$root/fuzz/make_seeds.py" "$root" "$build/corpus"
mkdir -p "$build/logs"

# Runs one harness; the summary is read back from its log afterwards.
run_one() {
  local h="$1"
  local findings="$build/findings/$h" log="$build/logs/$h.log"
  mkdir -p "$findings"
  touch "$build/logs/$h.start"
  local flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1
               -print_final_stats=1 -artifact_prefix="$findings/")
  [[ -n "${dict[$h]:-}" ]] && flags+=(-dict="$root/fuzz/${dict[$h]}")
  local rc=0 t0
  t0=$(date +%s)
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
    "$build/fuzz/$h" "${flags[@]}" "$build/corpus/$h" > "$log" 2>&1 || rc=$?
  echo "$rc" > "$build/logs/$h.rc"
  echo $(( $(date +%s) - t0 )) > "$build/logs/$h.seconds"
  echo "   $h finished (exit status $rc)"
}

echo "== running ${harnesses[*]} for ${seconds}s each, $jobs at a time"
running=0
for h in "${harnesses[@]}"; do
  if [[ $running -ge $jobs ]]; then
    wait -n || true
    running=$((running - 1))
  fi
  run_one "$h" &
  running=$((running + 1))
done
wait || true

echo
printf '%-24s %8s %12s %8s %7s %8s  %s\n' harness seconds executions exec/s cov ft result
found=0
for h in "${harnesses[@]}"; do
  log="$build/logs/$h.log"
  rc="$(cat "$build/logs/$h.rc")"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  took="$(cat "$build/logs/$h.seconds")"
  last="$(grep -E '^#[0-9]+' "$log" | tail -1 || true)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$last")"
  new="$(find "$build/findings/$h" -type f -newer "$build/logs/$h.start" | sort)"
  if [[ -n "$new" ]]; then
    result="FOUND: $(tr '\n' ' ' <<< "$new")(log: $log)"
    found=1
  elif [[ "$rc" != 0 ]]; then
    result="FAILED with exit status $rc (log: $log)"
    found=1
  else
    result="nothing found"
  fi
  printf '%-24s %8s %12s %8s %7s %8s  %s\n' "$h" "${took:-?}" "${execs:-?}" "${rate:-?}" \
    "${cov:-?}" "${ft:-?}" "$result"
done
echo "total time: $(( $(date +%s) - start ))s"
exit "$found"

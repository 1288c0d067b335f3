#!/usr/bin/env bash
# Installs gat.cpp's build and test dependencies from Debian 12 packages. Idempotent: packages
# already present are not touched, and apt is not contacted at all when nothing is missing.
#   cmake, g++            build
#   libeigen3-dev         the dense-product (GEMM) backend (header-only)
#   libgomp1 (with g++)   OpenMP threads
#   libgtest-dev          tests (GoogleTest through CTest)
#   libbenchmark-dev      micro-benchmarks under bench/
#   libopenblas-openmp-dev  the optional OpenBLAS backend (-DGAT_BLAS=OpenBLAS)
#   libcurl4-openssl-dev  HTTP(S) downloads of the Planetoid datasets (src/io/download.cpp)
#   libssl-dev            SHA-256 of dataset files through OpenSSL's libcrypto (src/io/sha256.cpp)
#   nlohmann-json3-dev    JSON: checkpoint metadata, safetensors headers, --json (header-only)
#   libcli11-dev          the gat tool's command-line parsing (header-only)
# With --clang also clang-14, libclang-rt-14-dev (libFuzzer and clang's sanitizer runtimes) and
# libomp-14-dev (LLVM's OpenMP runtime and its ThreadSanitizer tool, archer), which
# scripts/fuzz.sh and scripts/tsan.sh need; the build and the test command do not.
set -euo pipefail
PKGS=(cmake make g++ libeigen3-dev libgtest-dev libbenchmark-dev libopenblas-openmp-dev
      libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libcli11-dev)
if [ "${1:-}" = --clang ]; then
  PKGS+=(clang-14 libclang-rt-14-dev libomp-14-dev)
elif [ $# -gt 0 ]; then
  echo "install-deps: unknown argument '$1' (the only one is --clang)" >&2
  exit 2
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

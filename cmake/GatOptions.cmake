# Compiler flags shared by every gat target, applied through the interface target gat_options.
add_library(gat_options INTERFACE)
target_compile_options(gat_options INTERFACE -Wall -Wextra -Wpedantic -Wno-unknown-pragmas)
if(GAT_NATIVE)
  target_compile_options(gat_options INTERFACE -march=native)
  # GCC 12 miscompiles `sum += __builtin_popcountll(x)` when it vectorises the loop with
  # AVX512-VPOPCNTDQ at 256-bit width (the width -march=native picks on Intel Xeons) and folds
  # constant iterations peeled from the loop: it adds x itself instead of popcount(x). Seen with
  # GCC 12.2 (Debian 12) on Ice Lake and Sapphire Rapids tuning; tests/core/test_rng.cpp
  # (Rng.RandomBitsArePureFunctionsOfKeyAndIndex) caught it. gat's kernels count no bits, so
  # turning the instruction off costs nothing; GCC 13 and later are not checked here and keep it.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13
     AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    target_compile_options(gat_options INTERFACE -mno-avx512vpopcntdq)
  endif()
else()
  # The kernels' 8- and 16-float vector types (src/kernels/cpu/row_ops.h) are passed by value
  # between inline helpers; without AVX, GCC notes that such values are passed differently than
  # in an AVX build. The helpers never cross a library boundary, so the note is noise.
  target_compile_options(gat_options INTERFACE -Wno-psabi)
endif()
if(GAT_SANITIZE_ADDRESS)
  target_compile_options(gat_options INTERFACE -fsanitize=address -fno-omit-frame-pointer)
  target_link_options(gat_options INTERFACE -fsanitize=address)
endif()
if(GAT_SANITIZE_UNDEFINED)
  target_compile_options(gat_options INTERFACE -fsanitize=undefined -fno-sanitize-recover=all)
  target_link_options(gat_options INTERFACE -fsanitize=undefined)
endif()
# libFuzzer harnesses (fuzz/, scripts/fuzz.sh): every library gets coverage instrumentation for
# libFuzzer plus AddressSanitizer and UndefinedBehaviorSanitizer, so that a bug anywhere under a
# reader is reported at the faulty line, not only where a harness notices it. UB aborts instead of
# printing and going on, so that libFuzzer sees it as a crash and keeps the input. The harness
# executables add -fsanitize=fuzzer (libFuzzer's main) themselves (fuzz/CMakeLists.txt).
if(GAT_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR
      "GAT_BUILD_FUZZERS needs clang (libFuzzer is part of clang), but the C++ compiler is "
      "${CMAKE_CXX_COMPILER_ID} (${CMAKE_CXX_COMPILER}). Configure a fresh build directory with "
      "CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -DGAT_BUILD_FUZZERS=ON, or run "
      "scripts/fuzz.sh (Debian: apt-get install clang-14 libclang-rt-14-dev libomp-14-dev).")
  endif()
  # assert() stays on whatever the build type (nlohmann-json checks its invariants with it), and
  # libstdc++ checks bounds in operator[], front(), back() ... (_GLIBCXX_ASSERTIONS).
  target_compile_options(gat_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                         -fno-sanitize-recover=all -fno-omit-frame-pointer
                         -UNDEBUG -D_GLIBCXX_ASSERTIONS)
  target_link_options(gat_options INTERFACE -fsanitize=address,undefined)
  # Some sources turn off GCC-only warnings (src/CMakeLists.txt: -Wno-maybe-uninitialized),
  # whose names clang does not know; and the sanitizers' checks keep the kernels' `omp simd`
  # loops from being vectorised, which clang reports on each loop. Neither matters here.
  target_compile_options(gat_options INTERFACE -Wno-unknown-warning-option -Wno-pass-failed)
endif()

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

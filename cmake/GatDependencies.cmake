# Dependencies, all from Debian packages installed by scripts/install-deps.sh. Nothing is
# downloaded at configure or build time.
find_package(OpenMP REQUIRED COMPONENTS CXX)

if(GAT_BLAS STREQUAL "Eigen")
  find_package(Eigen3 3.3 REQUIRED NO_MODULE)
  add_library(gat_blas INTERFACE)
  target_link_libraries(gat_blas INTERFACE Eigen3::Eigen)
  # gat tiles products over its own threads (kernels/cpu/gemm.cpp) so that results do not depend
  # on the thread count; Eigen's own threading changes its blocking with the thread count.
  target_compile_definitions(gat_blas INTERFACE EIGEN_DONT_PARALLELIZE)
elseif(GAT_BLAS STREQUAL "OpenBLAS")
  # Debian's OpenMP build of OpenBLAS, so that its threads are gat's OpenMP threads.
  find_library(GAT_OPENBLAS_LIB openblas
               PATHS /usr/lib/x86_64-linux-gnu/openblas-openmp /usr/lib/aarch64-linux-gnu/openblas-openmp
               NO_DEFAULT_PATH)
  find_path(GAT_OPENBLAS_INCLUDE cblas.h
            PATHS /usr/include/x86_64-linux-gnu/openblas-openmp /usr/include/aarch64-linux-gnu/openblas-openmp
            NO_DEFAULT_PATH)
  if(NOT GAT_OPENBLAS_LIB OR NOT GAT_OPENBLAS_INCLUDE)
    message(FATAL_ERROR "GAT_BLAS=OpenBLAS needs Debian's libopenblas-openmp-dev")
  endif()
  add_library(gat_blas INTERFACE)
  target_include_directories(gat_blas INTERFACE ${GAT_OPENBLAS_INCLUDE})
  target_link_libraries(gat_blas INTERFACE ${GAT_OPENBLAS_LIB})
  target_compile_definitions(gat_blas INTERFACE GAT_BLAS_OPENBLAS=1)
else()
  message(FATAL_ERROR "GAT_BLAS must be Eigen or OpenBLAS, got '${GAT_BLAS}'")
endif()

# libcurl (Debian's libcurl4-openssl-dev) downloads the Planetoid datasets into the cache when
# they are not found locally (src/io/download.cpp); it is linked PRIVATE to gat_io only.
find_package(CURL REQUIRED)

# OpenSSL's libcrypto (libssl-dev) hashes dataset files (SHA-256 through its EVP interface); it is
# linked PRIVATE to gat_io only.
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)

# nlohmann-json (nlohmann-json3-dev, header-only) is the JSON of the public API (gat/io/json.h):
# checkpoint configs and safetensors headers.
find_package(nlohmann_json 3.11 REQUIRED)

# CLI11 (libcli11-dev, header-only) parses the gat tool's command lines; only tools/gat uses it.
if(GAT_BUILD_TOOLS)
  find_package(CLI11 2.1 REQUIRED)
endif()

if(GAT_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(GAT_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

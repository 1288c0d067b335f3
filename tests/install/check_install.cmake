# Installs gat into a temporary prefix, builds examples/train_gat_conv.cpp as an outside project
# against it (tests/install/consumer: find_package(gat), gat::gat, no C++ standard set), runs it
# and checks that its loss falls. Run by CTest as
#   cmake -DBUILD_DIR=<gat's build dir> -DSOURCE_DIR=<gat's source dir> -DWORK_DIR=<scratch dir>
#         -P check_install.cmake
foreach(var BUILD_DIR SOURCE_DIR WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "check_install.cmake: -D${var}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
set(consumer_build "${WORK_DIR}/consumer-build")

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${step} failed (exit ${rc}):\n${ARGN}\n--- stdout\n${out}\n--- stderr\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run("install" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
foreach(installed include/gat/nn/gat_conv.h share/gat/planetoid/cora/ind.cora.graph
                  share/gat/planetoid/citeseer/ind.citeseer.graph share/gat/planetoid/LICENSE)
  if(NOT EXISTS "${prefix}/${installed}")
    message(FATAL_ERROR "the install tree lacks ${installed}")
  endif()
endforeach()

# A fresh configure: nothing of gat's own build (its cache, its CMAKE_CXX_STANDARD) leaks in.
run("configure the outside project" ${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/install/consumer"
    -B "${consumer_build}" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${prefix}"
    "-DGAT_CONSUMER_SOURCE=${SOURCE_DIR}/examples/train_gat_conv.cpp")
run("build the outside project" ${CMAKE_COMMAND} --build "${consumer_build}")
run("run the example" "${consumer_build}/consumer")

# The example prints "step   0  mse A" ... "step 200  mse B"; training must lower the loss.
string(REGEX MATCH "step +0 +mse ([0-9.]+)" first "${last_output}")
set(first_mse "${CMAKE_MATCH_1}")
string(REGEX MATCH "step +200 +mse ([0-9.]+)" last "${last_output}")
set(last_mse "${CMAKE_MATCH_1}")
if(first_mse STREQUAL "" OR last_mse STREQUAL "")
  message(FATAL_ERROR "unexpected output of the example:\n${last_output}")
endif()
if(NOT last_mse LESS first_mse)
  message(FATAL_ERROR "the example's loss did not fall (${first_mse} -> ${last_mse}):\n${last_output}")
endif()
message(STATUS "installed gat built and ran an outside project: mse ${first_mse} -> ${last_mse}")
file(REMOVE_RECURSE "${WORK_DIR}")

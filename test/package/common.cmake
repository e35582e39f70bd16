# Helpers of the package tests' cmake -P scripts.

# run(COMMAND...): runs it, fails the test with its output if it fails.
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}\n${out}")
  endif()
endfunction()

# run_output(VAR COMMAND...): as run(), and keeps what it printed in VAR.
function(run_output var)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}${err}")
  endif()
  set(${var} "${out}" PARENT_SCOPE)
endfunction()

# expect_under(WHAT PATH ROOT): fails unless PATH lies inside ROOT, so that a
# consumer cannot pass by finding some other cueball on the machine.
function(expect_under what path root)
  file(REAL_PATH "${path}" real)
  file(REAL_PATH "${root}" real_root)
  string(FIND "${real}/" "${real_root}/" at)
  if(NOT at EQUAL 0)
    message(FATAL_ERROR "${what} is ${real}, not under ${real_root}")
  endif()
endfunction()

# consume(PREFIX WORK): builds consumer/main.cpp against the cueball
# installed in PREFIX, with find_package and with pkg-config, and runs both.
# Uses LIBDIR (the install's libdir below the prefix), CONSUMER_DIR,
# CXX_COMPILER, LAUNCHER (a compiler launcher such as ccache, or empty),
# PKG_CONFIG and SHARED (ON: the consumers must load libcueball.so.N).
function(consume prefix work)
  set(libdir ${prefix}/${LIBDIR})
  # The installed shared libraries carry no RUNPATH, as Debian's do not.
  set(ENV{LD_LIBRARY_PATH} ${libdir})
  set(launcher "")
  if(LAUNCHER)
    set(launcher -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
  endif()

  # find_package(cueball CONFIG), found through CMAKE_PREFIX_PATH.
  run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${work}/cmake -DCMAKE_PREFIX_PATH=${prefix}
      -DCMAKE_CXX_COMPILER=${CXX_COMPILER} ${launcher})
  file(STRINGS ${work}/cmake/CMakeCache.txt found REGEX "^cueball_DIR:")
  string(REGEX REPLACE "^[^=]*=" "" found "${found}")
  expect_under("find_package's cueball_DIR" "${found}" "${prefix}")
  run(${CMAKE_COMMAND} --build ${work}/cmake)
  expect_loads(${work}/cmake/consumer)
  run(${work}/cmake/consumer)

  # pkg-config, found through PKG_CONFIG_PATH; every module installed.
  set(ENV{PKG_CONFIG_PATH} ${libdir}/pkgconfig)
  file(GLOB pc_files RELATIVE ${libdir}/pkgconfig ${libdir}/pkgconfig/cueball*.pc)
  set(modules "")
  set(defines "")
  foreach(pc_file IN LISTS pc_files)
    string(REGEX REPLACE "\\.pc$" "" module ${pc_file})
    list(APPEND modules ${module})
    if(module MATCHES "^cueball-(.*)$")
      string(TOUPPER ${CMAKE_MATCH_1} plugin)
      list(APPEND defines -DHAVE_${plugin})
    endif()
  endforeach()
  if(NOT "cueball" IN_LIST modules)
    message(FATAL_ERROR "no cueball.pc in ${libdir}/pkgconfig (found: ${pc_files})")
  endif()
  run_output(pc_libdir ${PKG_CONFIG} --variable=libdir cueball)
  string(STRIP "${pc_libdir}" pc_libdir)
  expect_under("cueball.pc's libdir" "${pc_libdir}" "${prefix}")
  run_output(flags ${PKG_CONFIG} --cflags --libs ${modules})
  separate_arguments(flags UNIX_COMMAND "${flags}")
  file(MAKE_DIRECTORY ${work}/pkg-config)
  run(${LAUNCHER} ${CXX_COMPILER} ${defines} ${CONSUMER_DIR}/main.cpp -o ${work}/pkg-config/consumer ${flags})
  expect_loads(${work}/pkg-config/consumer)
  run(${work}/pkg-config/consumer)
endfunction()

# expect_loads(PROGRAM): with SHARED, PROGRAM must need libcueball.so.N (a
# static library in a shared build would pass everything else); without,
# it must not.
function(expect_loads program)
  run_output(dynamic ${READELF} -d ${program})
  if(SHARED AND NOT dynamic MATCHES "\\[libcueball\\.so\\.[0-9]+\\]")
    message(FATAL_ERROR "${program} does not load libcueball.so:\n${dynamic}")
  elseif(NOT SHARED AND dynamic MATCHES "libcueball")
    message(FATAL_ERROR "${program} loads a shared cueball from a static build:\n${dynamic}")
  endif()
endfunction()

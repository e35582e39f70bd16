# cmake -P script: every symbol a shared cueball library exports must be
# cueball's own: demangled, it names something in namespace cueball (or is
# the type_info, vtable or thunk of a cueball type). Anything else (spdlog,
# fmt, Boost, std:: templates, a C function) is a symbol the library built
# with hidden visibility should have kept to itself; a missing CUEBALL_EXPORT
# shows up instead as a consumer that does not link.
#   LIBS: the libraries, separated by commas; or LIB_DIR: check every
#   libcueball*.so in it.
cmake_minimum_required(VERSION 3.20)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

if(LIBS)
  string(REPLACE "," ";" libs "${LIBS}")
else()
  file(GLOB libs ${LIB_DIR}/libcueball*.so)
endif()
set(core_found OFF)
foreach(lib IN LISTS libs)
  if(lib MATCHES "/libcueball\\.so")
    set(core_found ON)
  endif()
endforeach()
if(NOT core_found)
  message(FATAL_ERROR "no libcueball.so among [${libs}]")
endif()

set(cueball_entity "(cueball::|(typeinfo|typeinfo name|vtable|VTT|guard variable) for cueball::|(non-)?virtual thunk to cueball::)")
set(problems "")
foreach(lib IN LISTS libs)
  run_output(table ${NM} -D --defined-only ${lib})
  string(REGEX REPLACE "\n$" "" table "${table}")
  string(REPLACE "\n" ";" lines "${table}")
  set(mangled "")
  foreach(line IN LISTS lines)
    # "<address> <type> <name>"; the name may carry @VERSION.
    if(line MATCHES "^[0-9a-fA-F]* +[A-Za-z] +([^ @]+)")
      list(APPEND mangled ${CMAKE_MATCH_1})
    endif()
  endforeach()
  list(LENGTH mangled count)
  if(count EQUAL 0)
    string(APPEND problems "${lib}: exports nothing\n")
    continue()
  endif()
  # The linker's own markers of the sections it laid out.
  list(REMOVE_ITEM mangled _init _fini _edata _end __bss_start)
  string(REPLACE ";" "\n" input "${mangled}")
  file(WRITE ${WORK_DIR}/symbols.txt "${input}\n")
  execute_process(COMMAND ${CXXFILT} INPUT_FILE ${WORK_DIR}/symbols.txt OUTPUT_VARIABLE demangled
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${CXXFILT} failed (${rc})")
  endif()
  string(REGEX REPLACE "\n$" "" demangled "${demangled}")
  string(REPLACE "\n" ";" demangled "${demangled}")
  foreach(symbol IN LISTS demangled)
    if(NOT symbol MATCHES "^${cueball_entity}")
      string(APPEND problems "${lib}: ${symbol}\n")
    endif()
  endforeach()
  message(STATUS "${lib}: ${count} exported symbols")
endforeach()
file(REMOVE ${WORK_DIR}/symbols.txt)
if(problems)
  message(FATAL_ERROR "symbols exported from outside namespace cueball:\n${problems}")
endif()

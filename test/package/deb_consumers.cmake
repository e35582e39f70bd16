# cmake -P script: `cpack -G DEB` in BUILD_DIR, checks which packages come
# out and what each holds, unpacks them with dpkg -x into a throwaway root
# and builds and runs the find_package and pkg-config consumers against
# <root>/usr (common.cmake's consume()).
#   SHARED ON:  libcueball<N> (the .so.N files only, with Depends and a
#               shlibs file) and libcueball-dev
#   SHARED OFF: libcueball-dev alone
cmake_minimum_required(VERSION 3.20)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

file(REMOVE_RECURSE ${WORK_DIR})
run(${CPACK_COMMAND} -G DEB --config ${BUILD_DIR}/CPackConfig.cmake -B ${WORK_DIR}/debs)
file(GLOB debs ${WORK_DIR}/debs/*.deb)

set(expected libcueball-dev)
if(SHARED)
  list(APPEND expected libcueball${SOVERSION})
endif()
set(found "")
set(root ${WORK_DIR}/root)
foreach(deb IN LISTS debs)
  run_output(name ${DPKG_DEB} --field ${deb} Package)
  string(STRIP "${name}" name)
  list(APPEND found ${name})
  run_output(contents ${DPKG_DEB} --contents ${deb})
  # Paths only: a symbolic link's target would otherwise look like a file.
  string(REGEX REPLACE " -> [^\n]*" "" contents "${contents}")
  if(name STREQUAL "libcueball-dev")
    if(NOT contents MATCHES "/usr/include/cueball/cueball.hpp" OR NOT contents MATCHES "cueballConfig.cmake"
       OR NOT contents MATCHES "pkgconfig/cueball.pc")
      message(FATAL_ERROR "${deb} lacks headers, the CMake package or cueball.pc:\n${contents}")
    endif()
    if(contents MATCHES "\\.so\\.[0-9]")
      message(FATAL_ERROR "${deb} holds a shared library's runtime file:\n${contents}")
    endif()
  elseif(name STREQUAL "libcueball${SOVERSION}")
    run_output(depends ${DPKG_DEB} --field ${deb} Depends)
    if(NOT contents MATCHES "libcueball\\.so\\.${SOVERSION}" OR contents MATCHES "/include/|\\.so\n|\\.a\n")
      message(FATAL_ERROR "${deb} should hold the .so.${SOVERSION} files and nothing else:\n${contents}")
    endif()
    if(NOT depends MATCHES "libspdlog")
      message(FATAL_ERROR "${deb}: Depends lacks the shared libraries it needs: ${depends}")
    endif()
    run_output(shlibs ${DPKG_DEB} --info ${deb} shlibs)
    if(NOT shlibs MATCHES "libcueball ${SOVERSION} libcueball${SOVERSION} ")
      message(FATAL_ERROR "${deb}: no shlibs entry for libcueball.so.${SOVERSION}:\n${shlibs}")
    endif()
  endif()
  run(${DPKG_DEB} -x ${deb} ${root})
endforeach()
list(SORT found)
list(SORT expected)
if(NOT found STREQUAL expected)
  message(FATAL_ERROR "cpack made [${found}], expected [${expected}]")
endif()

consume(${root}/usr ${WORK_DIR}/consumer)
file(REMOVE_RECURSE ${WORK_DIR})

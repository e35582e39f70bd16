# cueball_pkg_config(TARGET target NAME module DESCRIPTION text
#                    [REQUIRES modules...] [PRIVATE_REQUIRES modules...]
#                    [LIBS flags...] [PRIVATE_LIBS flags...] [CFLAGS flags...])
# Writes and installs <module>.pc for one library. Its prefix is found from
# the file's own place (${pcfiledir}), so the same file serves any
# `cmake --install --prefix`, a DESTDIR and an unpacked .deb.
#
# PRIVATE_* are what the library uses inside. A shared library has them
# recorded in its DT_NEEDED, so they go to Requires.private / Libs.private;
# a static archive does not, so they go to Requires / Libs, where a plain
# `pkg-config --libs` (without --static) finds them.
function(cueball_pkg_config)
  cmake_parse_arguments(ARG "" "TARGET;NAME;DESCRIPTION" "REQUIRES;PRIVATE_REQUIRES;LIBS;PRIVATE_LIBS;CFLAGS"
                        ${ARGN})
  if(NOT CUEBALL_INSTALL)
    return()
  endif()
  get_target_property(type ${ARG_TARGET} TYPE)
  if(type STREQUAL "STATIC_LIBRARY")
    list(APPEND ARG_REQUIRES ${ARG_PRIVATE_REQUIRES})
    list(APPEND ARG_LIBS ${ARG_PRIVATE_LIBS})
    set(ARG_PRIVATE_REQUIRES "")
    set(ARG_PRIVATE_LIBS "")
  endif()

  set(pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
    # Absolute install directories do not move with the prefix.
    set(prefix "${CMAKE_INSTALL_PREFIX}")
  else()
    file(RELATIVE_PATH up "/${pc_dir}" "/")
    string(REGEX REPLACE "/$" "" up "${up}")
    set(prefix "\${pcfiledir}/${up}")
  endif()
  cmake_path(ABSOLUTE_PATH CMAKE_INSTALL_LIBDIR BASE_DIRECTORY "\${prefix}" OUTPUT_VARIABLE libdir)
  cmake_path(ABSOLUTE_PATH CMAKE_INSTALL_INCLUDEDIR BASE_DIRECTORY "\${prefix}" OUTPUT_VARIABLE includedir)

  list(JOIN ARG_REQUIRES ", " requires)
  list(JOIN ARG_PRIVATE_REQUIRES ", " requires_private)
  list(JOIN ARG_LIBS " " libs)
  list(JOIN ARG_PRIVATE_LIBS " " libs_private)
  list(JOIN ARG_CFLAGS " " cflags)
  set(content "prefix=${prefix}
libdir=${libdir}
includedir=${includedir}

Name: ${ARG_NAME}
Description: ${ARG_DESCRIPTION}
Version: ${PROJECT_VERSION}
Requires: ${requires}
Requires.private: ${requires_private}
Libs: -L\${libdir} -l$<TARGET_FILE_BASE_NAME:${ARG_TARGET}> ${libs}
Libs.private: ${libs_private}
Cflags: -I\${includedir} ${cflags}
")
  # No trailing blanks, and no field left empty.
  string(REGEX REPLACE " +\n" "\n" content "${content}")
  string(REGEX REPLACE "(Requires|Requires\\.private|Libs\\.private):\n" "" content "${content}")
  set(file ${PROJECT_BINARY_DIR}/pkgconfig/${ARG_NAME}.pc)
  file(GENERATE OUTPUT ${file} CONTENT "${content}")
  install(FILES ${file} DESTINATION ${pc_dir} COMPONENT dev)
endfunction()

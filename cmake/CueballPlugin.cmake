# cueball_add_plugin(NAME SOURCES...): what every plugin folder (http/,
# connections/*, resolvers/dns/) builds the same way: the library
# cueball_NAME with the ALIAS cueball::NAME, the core's version and
# visibility (cueball_library_properties), its public
# headers in the folder's include/ (installed), the core linked PUBLIC and
# the project's warnings. The caller links its own dependencies and adds the
# target to CUEBALL_EXPORTED_TARGETS (and what the package must find to
# CUEBALL_PACKAGE_DEPENDENCIES).
function(cueball_add_plugin name)
  set(target cueball_${name})
  add_library(${target} ${ARGN})
  add_library(cueball::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  cueball_library_properties(${target})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${target} PUBLIC cueball::cueball)
  cueball_set_warnings(${target})
  if(CUEBALL_INSTALL)
    install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
  endif()
endfunction()

# cueball_library_properties(TARGET): what the core and every plugin library
# share: the project's version as the shared library's VERSION, its major
# version as SOVERSION (0 while the API is 0.x: any 0.y may break it), and
# hidden visibility, so that a shared build exports only what the headers mark
# CUEBALL_EXPORT (include/cueball/export.hpp) and none of the spdlog, fmt,
# Boost or standard-library code compiled into it (cmake/exports.map says
# why visibility alone does not do for the standard library).
function(cueball_library_properties target)
  set_target_properties(${target} PROPERTIES VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
  cueball_hide_symbols(${target})
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "SHARED_LIBRARY")
    set(map ${PROJECT_SOURCE_DIR}/cmake/exports.map)
    target_link_options(${target} PRIVATE "LINKER:--version-script=${map}")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${map})
  endif()
endfunction()

# cueball_hide_symbols(TARGET): hidden visibility alone, for object libraries
# whose objects end up in one of the libraries above.
function(cueball_hide_symbols target)
  set_target_properties(${target} PROPERTIES CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
endfunction()

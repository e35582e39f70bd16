# Installs headers, libraries, the CMake package (cueballConfig.cmake with a
# version file) and the pkg-config files (cueball_pkg_config() in each
# library's folder). Plugins append their targets to
# CUEBALL_EXPORTED_TARGETS and the packages their installed targets need to
# CUEBALL_PACKAGE_DEPENDENCIES ("Boost 1.74", PostgreSQL), once each or not:
# each becomes one find_dependency() line.
#
# Two install components, which the .deb packages follow (CueballPackaging):
# runtime, the shared libraries' files with their SOVERSION; dev, everything
# a build against cueball needs.
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ ${PROJECT_SOURCE_DIR}/resolvers/static/include/
                  ${PROJECT_BINARY_DIR}/generated/include/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(TARGETS ${CUEBALL_EXPORTED_TARGETS} EXPORT cueballTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
set(CUEBALL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cueball)
install(EXPORT cueballTargets NAMESPACE cueball:: DESTINATION ${CUEBALL_CMAKE_DIR} COMPONENT dev)

list(REMOVE_DUPLICATES CUEBALL_PACKAGE_DEPENDENCIES)
set(CUEBALL_FIND_DEPENDENCIES "")
foreach(dependency IN LISTS CUEBALL_PACKAGE_DEPENDENCIES)
  string(APPEND CUEBALL_FIND_DEPENDENCIES "find_dependency(${dependency})\n")
endforeach()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cueballConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cueballConfig.cmake INSTALL_DESTINATION ${CUEBALL_CMAKE_DIR})
# While the major version is 0 any minor release may break the API (the
# libraries' SOVERSION stays 0), so 0.y only satisfies requests for 0.y.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(compatibility SameMinorVersion)
else()
  set(compatibility SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cueballConfigVersion.cmake COMPATIBILITY ${compatibility})
install(FILES ${PROJECT_BINARY_DIR}/cueballConfig.cmake ${PROJECT_BINARY_DIR}/cueballConfigVersion.cmake
        DESTINATION ${CUEBALL_CMAKE_DIR} COMPONENT dev)

include(CueballPackaging)

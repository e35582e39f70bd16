# Installs headers, libraries and the CMake package (cueballConfig.cmake with
# a version file); each library's folder installs its pkg-config file
# (cueball_pkg_config()). Plugins append their targets to
# CUEBALL_EXPORTED_TARGETS and their find_dependency() lines to
# CUEBALL_PACKAGE_DEPENDENCIES.
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ ${PROJECT_SOURCE_DIR}/resolvers/static/include/
                  ${PROJECT_BINARY_DIR}/generated/include/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS ${CUEBALL_EXPORTED_TARGETS} EXPORT cueballTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
set(CUEBALL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cueball)
install(EXPORT cueballTargets NAMESPACE cueball:: DESTINATION ${CUEBALL_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cueballConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cueballConfig.cmake INSTALL_DESTINATION ${CUEBALL_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cueballConfigVersion.cmake COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cueballConfig.cmake ${PROJECT_BINARY_DIR}/cueballConfigVersion.cmake
        DESTINATION ${CUEBALL_CMAKE_DIR})

# `cpack -G DEB` in a build tree: Debian-style library packages from the
# install components (CueballInstall).
#   libcueball<SOVERSION>  the shared libraries (runtime); shared builds only
#   libcueball-dev         headers, the CMake package, the .pc files, and the
#                          static libraries or the shared ones' .so links
# Installed under /usr; the .pc files and the CMake package find their prefix
# from where they are, so the packages also work unpacked elsewhere
# (dpkg -x).
set(CUEBALL_PACKAGE_CONTACT "cueball maintainers" CACHE STRING "Maintainer field of the .deb packages")

set(CPACK_PACKAGE_NAME cueball)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "${CUEBALL_PACKAGE_CONTACT}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)

set(runtime_package libcueball${PROJECT_VERSION_MAJOR})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ${runtime_package})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "${PROJECT_DESCRIPTION} (shared libraries)")
# Depends from the libraries' DT_NEEDED (libspdlog, libfmt, libpq, ...);
# the plugins' dependency on libcueball.so itself is within the package.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
# dpkg-shlibdeps runs in the package's staging root: the plugins' libcueball.so.N
# is found there, relative to it.
cmake_path(ABSOLUTE_PATH CMAKE_INSTALL_LIBDIR BASE_DIRECTORY ${CPACK_PACKAGING_INSTALL_PREFIX} OUTPUT_VARIABLE libdir)
string(REGEX REPLACE "^/" "" CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${libdir}")
# A shlibs file, so that packages built against these libraries depend on
# this version (CPack's default policy "=": any 0.y may break the ABI).
# (Not per component: CPack reads only the package-wide variable, and the
# dev package holds no library with a SONAME.)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libcueball-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEV_DESCRIPTION "${PROJECT_DESCRIPTION} (development files)")
# What the installed headers and the CMake package refer to.
set(dev_depends libspdlog-dev)
if(CUEBALL_WITH_TCP OR CUEBALL_WITH_DNS)
  list(APPEND dev_depends libboost-dev)
endif()
if(CUEBALL_WITH_POSTGRES)
  list(APPEND dev_depends libpq-dev)
endif()
if(BUILD_SHARED_LIBS)
  list(PREPEND dev_depends "${runtime_package} (= ${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE})")
  set(CPACK_COMPONENTS_ALL runtime dev)
else()
  set(CPACK_COMPONENTS_ALL dev)
endif()
list(JOIN dev_depends ", " CPACK_DEBIAN_DEV_PACKAGE_DEPENDS)

include(CPack)

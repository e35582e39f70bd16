# cmake -P script: configures and builds a shared cueball (BUILD_SHARED_LIBS)
# from SOURCE_DIR in BUILD_DIR, the libraries only, for the shared package
# tests of a static build tree. The tree is kept between runs so that a
# rerun rebuilds only what changed; with a LAUNCHER (ccache) even a fresh
# tree compiles little. -O0 without debug information: the tree is only
# installed, packaged and linked against, and it compiles fastest. cpack
# builds the tree's preinstall target first, which without
# CMAKE_SKIP_INSTALL_ALL_DEPENDENCY would build the testing libraries too.
#   OPTIONS: the outer tree's CUEBALL_WITH_* and compiler settings, as
#            -DNAME=VALUE separated by commas
#   TARGETS: the library targets, separated by commas
cmake_minimum_required(VERSION 3.20)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

string(REPLACE "," ";" options "${OPTIONS}")
string(REPLACE "," ";" targets "${TARGETS}")
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BUILD_DIR} ${options}
    -DBUILD_SHARED_LIBS=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0
    -DCMAKE_LIBRARY_OUTPUT_DIRECTORY=${BUILD_DIR}/lib -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON
    -DCUEBALL_INSTALL=ON -DCUEBALL_BUILD_TESTS=OFF -DCUEBALL_BUILD_EXAMPLES=OFF -DCUEBALL_BUILD_BENCH=OFF)
run(${CMAKE_COMMAND} --build ${BUILD_DIR} --parallel 2 --target ${targets})

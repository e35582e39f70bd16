# cmake -P script: installs BUILD_DIR into a scratch prefix (WORK_DIR/opt/
# cueball, never /usr/local), then builds and runs the find_package and
# pkg-config consumers against it (common.cmake's consume()).
cmake_minimum_required(VERSION 3.20)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/opt/cueball)
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
consume(${prefix} ${WORK_DIR}/consumer)
file(REMOVE_RECURSE ${WORK_DIR})

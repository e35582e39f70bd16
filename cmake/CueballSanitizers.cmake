# CUEBALL_SANITIZE=thread | address: instruments everything built in this tree
# (library, plugins, tests, examples), as sanitizers require.
if(CUEBALL_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -g)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC warns that TSan does not model std::atomic_thread_fence, which
    # Boost.Asio uses; the fences there pair with atomics TSan does see.
    add_compile_options(-Wno-tsan)
  endif()
  add_link_options(-fsanitize=thread)
elseif(CUEBALL_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # The instrumentation makes GCC 12 report uninitialized reads inside
    # libstdc++ (std::regex, std::function) that are not there.
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
  add_link_options(-fsanitize=address,undefined)
elseif(NOT CUEBALL_SANITIZE STREQUAL "")
  message(FATAL_ERROR "CUEBALL_SANITIZE must be thread, address or empty (got '${CUEBALL_SANITIZE}')")
endif()

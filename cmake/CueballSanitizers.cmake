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
  add_link_options(-fsanitize=address,undefined)
elseif(NOT CUEBALL_SANITIZE STREQUAL "")
  message(FATAL_ERROR "CUEBALL_SANITIZE must be thread, address or empty (got '${CUEBALL_SANITIZE}')")
endif()

# Warnings for cueball's own targets; errors too with CUEBALL_WERROR (CI).
# Clang also checks the thread-safety annotations (GUARDED_BY, REQUIRES).
function(cueball_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
                                           -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_compile_options(${target} PRIVATE -Wthread-safety)
  endif()
  if(CUEBALL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

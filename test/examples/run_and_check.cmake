# Runs one command and checks how it ended, for tests of the example
# programs' command lines and reports:
#   cmake -DCOMMAND="prog@@arg@@..." -DEXPECT_EXIT=zero|nonzero
#         [-DEXPECT="regex@@regex..."] [-DFORBID="regex@@..."] -P run_and_check.cmake
# Every EXPECT regex must match stdout + stderr, no FORBID regex may. The
# output is echoed, so that CTest's SKIP_REGULAR_EXPRESSION can see it.
cmake_minimum_required(VERSION 3.20)
foreach(list COMMAND EXPECT FORBID)
  string(REPLACE "@@" ";" ${list} "${${list}}")
endforeach()
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE exit_code OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
message("${all}")
set(failures "")
if(EXPECT_EXIT STREQUAL "zero" AND NOT exit_code EQUAL 0)
  list(APPEND failures "exited with ${exit_code}, expected 0")
elseif(EXPECT_EXIT STREQUAL "nonzero" AND (exit_code EQUAL 0 OR NOT exit_code MATCHES "^[0-9]+$"))
  list(APPEND failures "exited with '${exit_code}', expected a non-zero exit code")
endif()
foreach(regex IN LISTS EXPECT)
  if(NOT all MATCHES "${regex}")
    list(APPEND failures "no match for '${regex}'")
  endif()
endforeach()
foreach(regex IN LISTS FORBID)
  if(all MATCHES "${regex}")
    list(APPEND failures "unexpected match for '${regex}'")
  endif()
endforeach()
if(failures)
  list(JOIN failures "\n  " text)
  message(FATAL_ERROR "${COMMAND}:\n  ${text}")
endif()

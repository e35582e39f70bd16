# Runs PROGRAM with ARGS (separated by '|') and checks its exit status and
# output: EXIT is 0 or "nonzero"; every regular expression of EXPECT
# (separated by '|' too, so no alternation) must match stdout + stderr, and
# none of REJECT may.
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND "${PROGRAM}" ${args} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err
                TIMEOUT 30)
set(all "${out}${err}")
if(EXIT STREQUAL "0" AND NOT status STREQUAL "0")
  message(FATAL_ERROR "expected exit status 0, got '${status}'; output:\n${all}")
endif()
if(EXIT STREQUAL "nonzero" AND (status STREQUAL "0" OR NOT status MATCHES "^[0-9]+$"))
  message(FATAL_ERROR "expected a nonzero exit status, got '${status}'; output:\n${all}")
endif()
string(REPLACE "|" ";" expected "${EXPECT}")
foreach(pattern IN LISTS expected)
  if(NOT all MATCHES "${pattern}")
    message(FATAL_ERROR "output does not match '${pattern}':\n${all}")
  endif()
endforeach()
string(REPLACE "|" ";" rejected "${REJECT}")
foreach(pattern IN LISTS rejected)
  if(all MATCHES "${pattern}")
    message(FATAL_ERROR "output matches '${pattern}', which it should not:\n${all}")
  endif()
endforeach()

// How PostgresOptions become libpq connection keywords: checked once when a
// connection object is made, turned into the keyword/value arrays that
// PQconnectStartParams takes, and how libpq's messages are put on one line.
// Pure functions, so tests can check them without a server.
#pragma once

#include <cueball/backend.hpp>
#include <cueball/connections/postgres.hpp>

#include <string>
#include <utility>
#include <vector>

namespace cueball::postgres_detail {

// @throws InvalidArgument naming the first bad field: an empty address, port
// 0, a non-positive timeout, a NUL byte in a string, a reserved keyword.
void validate(const Backend& backend, const PostgresOptions& options);

// Keyword/value pairs for PQconnectStartParams, in libpq's order of
// precedence (later ones win, so the fixed ones come after `parameters`).
// Empty values are left out so that libpq's defaults (PGUSER, ...) still
// apply. No connect_timeout: connect() keeps its own deadline, which libpq's
// asynchronous connect would not.
std::vector<std::pair<std::string, std::string>> connection_keywords(const Backend& backend,
                                                                     const PostgresOptions& options);

// libpq's multi-line error message on one line, without trailing blanks.
// Nothing is masked: the password reaches libpq only as a keyword value,
// never inside a conninfo string, and libpq does not put it into a message.
std::string clean_message(const char* message);

}  // namespace cueball::postgres_detail

// What the stats server answers to one parsed request: the choice of status,
// headers and body, free of sockets so that it reads as a table.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace spdlog {
class logger;
}

namespace cueball::http {

class SourceRegistry;

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

/// GET or HEAD of /stats or /metrics (a query string is ignored); 404 for
/// other paths, 405 for other methods, 500 when a source throws.
Response respond(const Request& request, SourceRegistry& sources, spdlog::logger& logger);

/// A plain-text error that closes the connection, for requests that could not
/// be parsed (400, 413, 431).
Response error_response(boost::beast::http::status status, unsigned version, const std::string& why);

}  // namespace cueball::http

#include "testing/echo_client.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>

#include <optional>
#include <stdexcept>

namespace cueball::testing {

namespace asio = boost::asio;

std::string echo_round_trip(TcpConnection& connection, std::string_view message, std::chrono::milliseconds timeout) {
    asio::io_context& io = connection.io_context();
    std::optional<boost::system::error_code> wrote, read;
    std::string reply(message.size(), '\0');
    asio::async_write(connection.socket(), asio::buffer(message.data(), message.size()),
                      [&wrote](boost::system::error_code ec, std::size_t) { wrote = ec; });
    asio::async_read(connection.socket(), asio::buffer(reply),
                     [&read](boost::system::error_code ec, std::size_t) { read = ec; });
    io.restart();
    io.run_for(timeout);
    if (!wrote || !read) {
        // Abort what is still pending and run its handlers, so that nothing
        // refers to this frame once we return.
        boost::system::error_code ignored;
        connection.socket().cancel(ignored);
        io.restart();
        io.run();
        throw std::runtime_error("no echo from " + backend_key(connection.backend()) + " within " +
                                 std::to_string(timeout.count()) + " ms");
    }
    if (*wrote) throw boost::system::system_error(*wrote, "echo write to " + backend_key(connection.backend()));
    if (*read) throw boost::system::system_error(*read, "echo read from " + backend_key(connection.backend()));
    return reply;
}

}  // namespace cueball::testing

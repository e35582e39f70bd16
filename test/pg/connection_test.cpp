// PostgresConnection on its own, against a real server: connect, reset and
// is_valid as the pool will call them.
#include "pg_support.hpp"
#include "silent_listener.hpp"

#include <libpq-fe.h>

#include <chrono>

namespace cueball::test {
namespace {

using namespace std::chrono_literals;
using testing::PostgresServer;
using testing::PostgresServerOptions;

TEST(PostgresConnection, ConnectsAndRunsQueriesThroughNative) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    auto conn = connected(server, login(server));
    ASSERT_NE(conn->native(), nullptr);
    EXPECT_EQ(query_value(conn->native(), "SELECT 40 + 2"), "42");
    EXPECT_EQ(query_value(conn->native(), "SHOW application_name"), "cueball");
    EXPECT_EQ(query_value(conn->native(), "SELECT inet_server_port()"), std::to_string(server.port()));
    EXPECT_TRUE(conn->is_valid());
    EXPECT_TRUE(conn->reset());

    PostgresOptions named = login(server);
    named.application_name = "billing";
    EXPECT_EQ(query_value(connected(server, named)->native(), "SHOW application_name"), "billing");
}

TEST(PostgresConnection, CloseIsIdempotentAndLeavesNoSession) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    PostgresOptions options = login(server);
    options.application_name = "closing";
    auto conn = connected(server, options);
    conn->close();
    conn->close();
    EXPECT_EQ(conn->native(), nullptr);
    EXPECT_FALSE(conn->is_valid());
    EXPECT_FALSE(conn->reset());
    const std::string sessions = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'closing'";
    EXPECT_TRUE(eventually_value(server, sessions, "0"));
}

TEST(PostgresConnection, WrongPasswordFailsWithLibpqsMessageAndWithoutThePassword) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    PostgresOptions options = login(server);
    options.password = "not-the-Secret-42";
    CapturedLog log;
    options.logger = log.logger();
    PostgresConnection conn(server.backend(), options);
    try {
        conn.connect();
        FAIL() << "connect with a wrong password succeeded";
    } catch (const PostgresError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("password authentication failed"), std::string::npos) << what;
        EXPECT_NE(what.find(backend_key(server.backend())), std::string::npos) << what;
        EXPECT_EQ(what.find("not-the-Secret-42"), std::string::npos) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
    EXPECT_EQ(conn.native(), nullptr);
    EXPECT_EQ(log.text().find("not-the-Secret-42"), std::string::npos);
}

TEST(PostgresConnection, DatabaseNameAndPasswordWithSpacesQuotesAndEquals) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServerOptions server_options;
    server_options.password = R"(p a=ss 'wo"rd\ = x)";
    PostgresServer server(server_options);
    const std::string dbname = R"(my db='x' "y" = z)";
    // Identifier quoting: double the double quotes.
    std::string quoted = "\"";
    for (char c : dbname) quoted += (c == '"') ? std::string("\"\"") : std::string(1, c);
    quoted += "\"";
    server.execute("CREATE DATABASE " + quoted);

    PostgresOptions options = login(server);
    options.dbname = dbname;
    auto conn = connected(server, options);
    EXPECT_EQ(query_value(conn->native(), "SELECT current_database()"), dbname);

    // A database name that looks like a connection string stays a name.
    options.dbname = "dbname=postgres";
    PostgresConnection lookalike(server.backend(), options);
    EXPECT_THROW(lookalike.connect(), PostgresError);
}

TEST(PostgresConnection, ResetRollsBackAnOpenTransaction) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    server.execute("CREATE TABLE t (x int)");
    auto conn = connected(server, login(server));
    ASSERT_TRUE(run_ok(conn->native(), "BEGIN"));
    ASSERT_TRUE(run_ok(conn->native(), "INSERT INTO t VALUES (1)"));
    EXPECT_EQ(PQtransactionStatus(conn->native()), PQTRANS_INTRANS);
    EXPECT_TRUE(conn->reset());
    EXPECT_EQ(PQtransactionStatus(conn->native()), PQTRANS_IDLE);
    EXPECT_EQ(query_value(conn->native(), "SELECT count(*) FROM t"), "0");
}

TEST(PostgresConnection, ResetRollsBackAFailedTransaction) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    auto conn = connected(server, login(server));
    ASSERT_TRUE(run_ok(conn->native(), "BEGIN"));
    ASSERT_FALSE(run_ok(conn->native(), "SELECT * FROM no_such_table"));
    EXPECT_EQ(PQtransactionStatus(conn->native()), PQTRANS_INERROR);
    EXPECT_TRUE(conn->reset());
    EXPECT_EQ(PQtransactionStatus(conn->native()), PQTRANS_IDLE);
    EXPECT_EQ(query_value(conn->native(), "SELECT 1"), "1");
}

TEST(PostgresConnection, ResetDiscardsAQueryInFlightOrACopy) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    server.execute("CREATE TABLE t (x int)");
    auto in_flight = connected(server, login(server));
    ASSERT_EQ(PQsendQuery(in_flight->native(), "SELECT pg_sleep(0.2)"), 1);
    EXPECT_FALSE(in_flight->reset());

    auto copying = connected(server, login(server));
    PGresult* started = PQexec(copying->native(), "COPY t FROM STDIN");
    EXPECT_EQ(PQresultStatus(started), PGRES_COPY_IN);
    PQclear(started);
    EXPECT_FALSE(copying->reset());
}

TEST(PostgresConnection, ResetRunsTheResetQuery) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    PostgresOptions options = login(server);
    options.reset_query = "RESET ALL";
    auto conn = connected(server, options);
    ASSERT_TRUE(run_ok(conn->native(), "SET work_mem = '7MB'"));
    EXPECT_TRUE(conn->reset());
    EXPECT_NE(query_value(conn->native(), "SHOW work_mem"), "7MB");

    options.reset_query = "SELECT * FROM no_such_table";
    EXPECT_FALSE(connected(server, options)->reset());
}

TEST(PostgresConnection, IsValidFailsOnceTheServerWentAway) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    auto plain = connected(server, login(server));
    PostgresOptions with_query = login(server);
    with_query.validation_query = "SELECT 1";
    auto checked = connected(server, with_query);
    EXPECT_TRUE(plain->is_valid());
    EXPECT_TRUE(checked->is_valid());
    server.stop();
    // Fast shutdown has sent its goodbye and closed the sockets by now.
    EXPECT_FALSE(plain->is_valid());
    EXPECT_FALSE(checked->is_valid());
    EXPECT_FALSE(plain->reset());
}

TEST(PostgresConnection, IsValidFailsWhenTheSessionIsTerminated) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    PostgresOptions options = login(server);
    options.application_name = "victim";
    auto conn = connected(server, options);
    EXPECT_TRUE(conn->is_valid());
    server.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'victim'");
    EXPECT_TRUE(eventually([&] { return !conn->is_valid(); }, 10s));
}

TEST(PostgresConnection, ValidationQueryIsBoundedByCheckTimeout) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    PostgresOptions options = login(server);
    options.validation_query = "SELECT pg_sleep(30)";
    options.check_timeout = 200ms;
    auto conn = connected(server, options);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(conn->is_valid());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);

    options.validation_query = "SELECT * FROM no_such_table";
    EXPECT_FALSE(connected(server, options)->is_valid());
}

TEST(PostgresConnection, ConnectToAServerThatNeverAnswersGivesUp) {
    SilentListener silent;
    PostgresOptions options;
    options.user = "nobody";
    options.connect_timeout = 100ms;
    PostgresConnection conn(Backend{"127.0.0.1", silent.port(), {}}, options);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(conn.connect(), PostgresError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 15s);
}

}  // namespace
}  // namespace cueball::test

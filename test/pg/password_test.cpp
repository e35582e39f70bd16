// Passwords of every shape: they log in as they are, and a wrong one leaves
// libpq's message untouched and absent from it. The password travels only as
// a keyword value, so nothing has to be searched for and masked afterwards.
#include "pg_support.hpp"

#include <libpq-fe.h>

#include <vector>

namespace cueball::test {
namespace {

using testing::PostgresServer;

// As an SQL string literal (standard_conforming_strings: only quotes double).
std::string literal(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += (c == '\'') ? std::string("''") : std::string(1, c);
    return out + "'";
}

const std::vector<std::string> kPasswords = {
    "two words", "it's", R"(say "hi")", R"(back\slash\\)", R"(x' OR '1'='1)", "a=b c='d'", "e", "postgres", " ",
};

// The message connect() throws for `user` with `password`; "" if it connected.
std::string connect_error(const PostgresServer& server, const std::string& user, const std::string& password) {
    PostgresOptions options = login(server);
    options.user = user;
    options.password = password;
    PostgresConnection conn(server.backend(), options);
    try {
        conn.connect();
    } catch (const PostgresError& e) {
        return e.what();
    }
    return "";
}

// Both password methods of pg_hba.conf, each with passwords stored its way.
testing::PostgresServerOptions with_method(const std::string& method) {
    testing::PostgresServerOptions options;
    options.auth_method = method;
    options.settings = {"password_encryption=" + method};
    return options;
}

TEST(PostgresPassword, AnyPasswordLogsInAsItIs) {
    CUEBALL_REQUIRE_POSTGRES();
    for (const std::string method : {"scram-sha-256", "md5"}) {
        PostgresServer server(with_method(method));
        for (std::size_t i = 0; i < kPasswords.size(); ++i) {
            const std::string role = "role_" + std::to_string(i);
            server.execute("CREATE ROLE " + role + " LOGIN PASSWORD " + literal(kPasswords[i]));
            PostgresOptions options = login(server);
            options.user = role;
            options.password = kPasswords[i];
            PostgresConnection conn(server.backend(), options);
            ASSERT_NO_THROW(conn.connect()) << method << ", password [" << kPasswords[i] << "]";
            EXPECT_EQ(query_value(conn.native(), "SELECT current_user"), role);
            EXPECT_EQ(server.execute("SELECT left(rolpassword, 3) FROM pg_authid WHERE rolname = '" + role + "'"),
                      method == "md5" ? "md5" : "SCR");
        }
    }
}

TEST(PostgresPassword, AWrongPasswordNeitherShowsNorChangesTheMessage) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    server.execute("CREATE ROLE app LOGIN PASSWORD 'the-right-one'");
    // What libpq says for a wrong password that appears nowhere else.
    const std::string expected = connect_error(server, "app", "zq-wrong-qz");
    ASSERT_NE(expected.find(R"(password authentication failed for user "app")"), std::string::npos) << expected;
    ASSERT_NE(expected.find(R"(database "postgres")"), std::string::npos) << expected;
    for (const std::string& wrong : kPasswords) {
        const std::string what = connect_error(server, "app", wrong);
        EXPECT_EQ(what, expected) << "password [" << wrong << "]";
        if (expected.find(wrong) == std::string::npos) {
            EXPECT_EQ(what.find(wrong), std::string::npos) << "password [" << wrong << "] in: " << what;
        }
    }
}

}  // namespace
}  // namespace cueball::test

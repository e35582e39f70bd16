// The option handling of PostgresConnection, without a server: keyword
// arrays, validation and one-line messages.
#include "conninfo.hpp"
#include "role.hpp"

#include <cueball/errors.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace cueball {
namespace {

using namespace std::chrono_literals;
using postgres_detail::clean_message;
using postgres_detail::connection_keywords;
using postgres_detail::role_mismatch;
using postgres_detail::ServerRole;
using postgres_detail::validate;

std::string keyword(const std::vector<std::pair<std::string, std::string>>& kv, const std::string& key) {
    std::string found = "<absent>";
    for (const auto& [k, v] : kv) {
        if (k == key) found = v;  // the last one wins, as in libpq
    }
    return found;
}

TEST(PostgresConnInfo, KeywordsComeFromBackendAndOptions) {
    PostgresOptions o;
    o.dbname = "my db";
    o.user = "u";
    o.password = "p w='x'";
    o.connect_timeout = 2'500ms;
    o.parameters = {{"sslmode", "disable"}};
    const auto kv = connection_keywords(Backend{"::1", 6543, {}}, o);
    EXPECT_EQ(keyword(kv, "host"), "::1");
    EXPECT_EQ(keyword(kv, "port"), "6543");
    EXPECT_EQ(keyword(kv, "dbname"), "my db");
    EXPECT_EQ(keyword(kv, "user"), "u");
    EXPECT_EQ(keyword(kv, "password"), "p w='x'");
    EXPECT_EQ(keyword(kv, "application_name"), "cueball");
    // connect() keeps the deadline itself, to the millisecond.
    EXPECT_EQ(keyword(kv, "connect_timeout"), "<absent>");
    EXPECT_EQ(keyword(kv, "sslmode"), "disable");
}

TEST(PostgresConnInfo, EmptyFieldsLeaveLibpqDefaults) {
    const auto kv = connection_keywords(Backend{"127.0.0.1", 5432, {}}, PostgresOptions{});
    EXPECT_EQ(keyword(kv, "dbname"), "<absent>");
    EXPECT_EQ(keyword(kv, "user"), "<absent>");
    EXPECT_EQ(keyword(kv, "password"), "<absent>");
    PostgresOptions named;
    named.application_name = "billing";
    EXPECT_EQ(keyword(connection_keywords(Backend{"127.0.0.1", 5432, {}}, named), "application_name"), "billing");
}

TEST(PostgresConnInfo, BadInputIsRejectedWithTheFieldsName) {
    const Backend ok{"127.0.0.1", 5432, {}};
    auto rejects = [](const Backend& b, const PostgresOptions& o, const std::string& needle) {
        try {
            validate(b, o);
        } catch (const InvalidArgument& e) {
            return std::string(e.what()).find(needle) != std::string::npos;
        }
        return false;
    };
    EXPECT_NO_THROW(validate(ok, PostgresOptions{}));
    EXPECT_TRUE(rejects(Backend{"", 5432, {}}, {}, "address"));
    EXPECT_TRUE(rejects(Backend{"127.0.0.1", 0, {}}, {}, "port"));
    PostgresOptions o;
    o.connect_timeout = 0ms;
    EXPECT_TRUE(rejects(ok, o, "connect_timeout"));
    o = {};
    o.check_timeout = -1ms;
    EXPECT_TRUE(rejects(ok, o, "check_timeout"));
    o = {};
    o.dbname = std::string("a\0b", 3);
    EXPECT_TRUE(rejects(ok, o, "dbname"));
    o = {};
    o.max_standby_lag = -1ms;
    EXPECT_TRUE(rejects(ok, o, "max_standby_lag"));
    o = {};
    o.target_role = static_cast<TargetRole>(7);
    EXPECT_TRUE(rejects(ok, o, "target_role must be any, primary or standby"));
    o = {};
    o.parameters = {{"password", "x"}};
    EXPECT_TRUE(rejects(ok, o, "password"));
    o.parameters = {{"service", "x"}};
    EXPECT_TRUE(rejects(ok, o, "service"));
    o.parameters = {{"", "x"}};
    EXPECT_TRUE(rejects(ok, o, "empty"));
    EXPECT_THROW(PostgresConnection(Backend{"", 1, {}}, {}), InvalidArgument);
}

TEST(PostgresConnInfo, MessagesAreOneLineAndOtherwiseUntouched) {
    EXPECT_EQ(clean_message("connection failed:\nFATAL:  no\n"), "connection failed: FATAL:  no");
    EXPECT_EQ(clean_message("a\tb\r\n\nc  "), "a b c");
    EXPECT_EQ(clean_message(nullptr), "no message from libpq");
    EXPECT_EQ(clean_message(""), "no message from libpq");
    EXPECT_EQ(clean_message("user \"e\" said ***"), "user \"e\" said ***");
}

TEST(PostgresRoleRule, TheRoleFoundMustBeTheOneWanted) {
    const ServerRole primary{false, 0ms}, standby{true, 0ms};
    EXPECT_EQ(role_mismatch(primary, TargetRole::any, 0ms), "");
    EXPECT_EQ(role_mismatch(standby, TargetRole::any, 0ms), "");
    EXPECT_EQ(role_mismatch(primary, TargetRole::primary, 0ms), "");
    EXPECT_EQ(role_mismatch(standby, TargetRole::standby, 0ms), "");
    EXPECT_EQ(role_mismatch(standby, TargetRole::primary, 0ms), "server is a standby; the pool wants a primary");
    EXPECT_EQ(role_mismatch(primary, TargetRole::standby, 0ms), "server is a primary; the pool wants a standby");
}

TEST(PostgresRoleRule, AStandbyMayLagUpToTheLimit) {
    EXPECT_EQ(role_mismatch(ServerRole{true, 500ms}, TargetRole::standby, 500ms), "");
    EXPECT_EQ(role_mismatch(ServerRole{true, 501ms}, TargetRole::any, 500ms),
              "standby's replay lag is 501 ms, more than max_standby_lag (500 ms)");
    EXPECT_EQ(role_mismatch(ServerRole{true, 100'000ms}, TargetRole::standby, 0ms), "") << "0 = no limit";
    EXPECT_EQ(role_mismatch(ServerRole{false, 0ms}, TargetRole::any, 1ms), "") << "a primary has no lag";
}

}  // namespace
}  // namespace cueball

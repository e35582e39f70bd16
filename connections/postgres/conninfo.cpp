#include "conninfo.hpp"

#include <cueball/errors.hpp>

#include <array>
#include <string_view>

namespace cueball::postgres_detail {

namespace {

// Keywords the options' own fields decide; "service" is here because a
// service file could silently replace the host, port or password.
constexpr std::array<std::string_view, 9> kReserved{"host",     "hostaddr",         "port",
                                                    "dbname",   "user",             "password",
                                                    "service",  "application_name", "connect_timeout"};

[[noreturn]] void bad(const std::string& what) { throw InvalidArgument("cueball::PostgresConnection: " + what); }

void no_nul(const std::string& value, const char* field) {
    if (value.find('\0') != std::string::npos) bad(std::string("PostgresOptions::") + field + " contains a NUL byte");
}

}  // namespace

void validate(const Backend& backend, const PostgresOptions& options) {
    if (backend.address.empty()) bad("the backend's address is empty");
    if (backend.address.find('\0') != std::string::npos) bad("the backend's address contains a NUL byte");
    if (backend.port == 0) bad("the backend's port is 0 (" + backend.address + ")");
    no_nul(options.dbname, "dbname");
    no_nul(options.user, "user");
    no_nul(options.password, "password");
    no_nul(options.application_name, "application_name");
    no_nul(options.validation_query, "validation_query");
    no_nul(options.reset_query, "reset_query");
    if (options.connect_timeout.count() <= 0) {
        bad("PostgresOptions::connect_timeout must be positive (got " + std::to_string(options.connect_timeout.count()) +
            " ms)");
    }
    if (options.check_timeout.count() <= 0) {
        bad("PostgresOptions::check_timeout must be positive (got " + std::to_string(options.check_timeout.count()) +
            " ms)");
    }
    if (options.target_role != TargetRole::any && options.target_role != TargetRole::primary &&
        options.target_role != TargetRole::standby) {
        bad("PostgresOptions::target_role must be any, primary or standby (got " +
            std::to_string(static_cast<int>(options.target_role)) + ")");
    }
    if (options.max_standby_lag.count() < 0) {
        bad("PostgresOptions::max_standby_lag must be 0 (no limit) or positive (got " +
            std::to_string(options.max_standby_lag.count()) + " ms)");
    }
    for (const auto& [key, value] : options.parameters) {
        for (std::string_view reserved : kReserved) {
            if (key == reserved) {
                bad("PostgresOptions::parameters may not set \"" + key + "\"; use the Backend or the options' field");
            }
        }
        if (key.empty()) bad("PostgresOptions::parameters has an empty keyword");
        if (key.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
            bad("PostgresOptions::parameters[\"" + key.substr(0, key.find('\0')) + "\"] contains a NUL byte");
        }
    }
}

std::vector<std::pair<std::string, std::string>> connection_keywords(const Backend& backend,
                                                                     const PostgresOptions& options) {
    std::vector<std::pair<std::string, std::string>> out(options.parameters.begin(), options.parameters.end());
    out.emplace_back("host", backend.address);
    out.emplace_back("port", std::to_string(backend.port));
    if (!options.dbname.empty()) out.emplace_back("dbname", options.dbname);
    if (!options.user.empty()) out.emplace_back("user", options.user);
    if (!options.password.empty()) out.emplace_back("password", options.password);
    out.emplace_back("application_name", options.application_name.empty() ? "cueball" : options.application_name);
    return out;
}

std::string clean_message(const char* message) {
    std::string out;
    if (message != nullptr) {
        for (const char* p = message; *p != '\0'; ++p) {
            const char c = *p;
            if (c == '\n' || c == '\r' || c == '\t') {
                if (!out.empty() && out.back() != ' ') out += ' ';
            } else {
                out += c;
            }
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (out.empty()) out = "no message from libpq";
    return out;
}

}  // namespace cueball::postgres_detail

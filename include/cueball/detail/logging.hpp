// The logger cueball uses when the user gives none. Shared with the plugins;
// installed because they need it, not for direct use.
#pragma once

#include <cueball/export.hpp>

#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace cueball::detail {

// A logger to stderr named `name`, at level warn: quiet unless something is
// wrong. Not registered in spdlog's registry, so names may repeat.
CUEBALL_EXPORT std::shared_ptr<spdlog::logger> quiet_stderr_logger(const std::string& name);

}  // namespace cueball::detail

#include <cueball/detail/logging.hpp>

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace cueball::detail {

std::shared_ptr<spdlog::logger> quiet_stderr_logger(const std::string& name) {
    auto logger = std::make_shared<spdlog::logger>(name, std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_level(spdlog::level::warn);
    return logger;
}

}  // namespace cueball::detail

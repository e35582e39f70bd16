#include "captured_log.hpp"

namespace cueball::test {

CapturedLog::CapturedLog()
    : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink<std::mutex>>(10'000)),
      logger_(std::make_shared<spdlog::logger>("captured", sink_)) {
    logger_->set_level(spdlog::level::debug);
}

std::vector<std::string> CapturedLog::lines() const { return sink_->last_formatted(); }

std::string CapturedLog::text() const {
    std::string out;
    for (const std::string& line : lines()) out += line;
    return out;
}

}  // namespace cueball::test

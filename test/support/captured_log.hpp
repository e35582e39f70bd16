// A logger at debug level that remembers every formatted line, readable from
// the test's thread while the pool's threads log (the sink's own mutex
// guards both).
#pragma once

#include <spdlog/logger.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace cueball::test {

class CapturedLog {
public:
    CapturedLog();
    const std::shared_ptr<spdlog::logger>& logger() const { return logger_; }
    std::vector<std::string> lines() const;
    // All lines joined.
    std::string text() const;

private:
    std::shared_ptr<spdlog::sinks::ringbuffer_sink<std::mutex>> sink_;
    std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace cueball::test

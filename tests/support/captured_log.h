// CapturedLog: spdlog's default logger swapped, while it lives, for one writing each message
// (its text alone, one a line) into a string that a test reads back.
#pragma once

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cstddef>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

namespace uudai::testing {

class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    sink->set_pattern("%v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  std::string text() {
    spdlog::default_logger()->flush();
    return out_.str();
  }
  // How many captured lines hold `part`.
  std::size_t LinesWith(std::string_view part) {
    std::size_t count = 0;
    std::istringstream lines(text());
    for (std::string line; std::getline(lines, line);) {
      if (line.find(part) != std::string::npos) ++count;
    }
    return count;
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream out_;
};

}  // namespace uudai::testing

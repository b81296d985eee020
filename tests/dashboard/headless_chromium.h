// HeadlessChromium: Debian's `chromium --headless` as a child process, for tests that load a page
// of a uudai on loopback and read back what the browser made of it (its DOM, the URLs it
// requested, a screenshot). Each call starts a fresh browser with its own temporary profile and
// with its background services off or sent to a closed local port, so it contacts nothing but
// the page's server.
#ifndef UUDAI_TESTS_DASHBOARD_HEADLESS_CHROMIUM_H_
#define UUDAI_TESTS_DASHBOARD_HEADLESS_CHROMIUM_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace uudai::testing {

class HeadlessChromium {
 public:
  // Where the browser's own services are sent: 127.0.0.1's discard port, where nobody listens
  // (their requests fail at once and never leave the machine). Its URLs appear in net logs.
  static constexpr const char* kBrowserServices = "http://127.0.0.1:9/";

  // $UUDAI_CHROMIUM, else `chromium` or `chromium-browser` on PATH; nullopt when none is there.
  static std::optional<std::string> Find();

  explicit HeadlessChromium(std::string executable) : executable_(std::move(executable)) {}

  struct LoadedPage {
    std::string dom;                          // document.documentElement.outerHTML
    std::vector<std::string> requested_urls;  // every URL in the browser's net log
  };
  // Loads `url` and lets it run for `virtual_time` (timers run in virtual time; the browser
  // waits for pending network fetches). Throws std::runtime_error when chromium fails.
  LoadedPage Load(const std::string& url, std::chrono::milliseconds virtual_time) const;

  // Writes a PNG of `url` in a window of width × height pixels. Throws like Load.
  void Screenshot(const std::string& url, const std::string& png_path, int width, int height,
                  std::chrono::milliseconds virtual_time) const;

 private:
  // Runs chromium with the common flags plus `args`; returns its stdout.
  std::string Run(const std::vector<std::string>& args) const;

  std::string executable_;
};

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_DASHBOARD_HEADLESS_CHROMIUM_H_

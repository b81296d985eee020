#include "headless_chromium.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "api_test_support.h"

namespace uudai::testing {
namespace {

// Chromium can be slow to start on a loaded 2-core machine; a run that takes longer is stuck.
constexpr auto kRunLimit = std::chrono::seconds(180);

bool IsExecutable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::optional<std::string> HeadlessChromium::Find() {
  if (const char* configured = std::getenv("UUDAI_CHROMIUM"); configured && *configured) {
    if (IsExecutable(configured)) return std::string(configured);
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const std::string candidate = dir + "/" + name;
      if (IsExecutable(candidate)) return candidate;
    }
  }
  return std::nullopt;
}

std::string HeadlessChromium::Run(const std::vector<std::string>& args) const {
  TempDir profile;
  std::vector<std::string> argv = {
      executable_, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
      "--user-data-dir=" + profile.path(), "--no-first-run", "--no-default-browser-check",
      // Nothing but the page: the browser's own services (updates, sync, metrics, autofill,
      // translation, network time, spelling) are off, and those that no switch turns off are
      // pointed at the closed discard port (kBrowserServices). Should a future chromium call
      // home anyway, no host name resolves and requests not to loopback go to that port too.
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-extensions", "--disable-default-apps", "--disable-domain-reliability",
      "--disable-component-extensions-with-background-pages", "--disable-breakpad",
      "--metrics-recording-only", "--no-pings", "--dns-prefetch-disable",
      "--disable-spell-checking", "--disable-client-side-phishing-detection",
      "--disable-features=NetworkTimeServiceQuerying,AutofillServerCommunication,Translate,"
      "OptimizationHints,MediaRouter",
      "--gaia-url=" + std::string(kBrowserServices),
      "--component-updater=url-source=" + std::string(kBrowserServices),
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--proxy-server=127.0.0.1:9"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (auto& arg : argv) raw.push_back(arg.data());
  raw.push_back(nullptr);

  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid == 0) {  // the child: only async-signal-safe calls until exec
    ::dup2(out[1], STDOUT_FILENO);
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) ::dup2(null, STDERR_FILENO);  // chromium logs D-Bus noise there
    ::close(out[0]);
    ::close(out[1]);
    ::setpgid(0, 0);  // its own group, so a stuck browser is killed with all its helpers
    ::execv(raw[0], raw.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + kRunLimit;
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fd{out[0], POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[65536];
    const ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n <= 0) break;
    output.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  if (timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (timed_out) throw std::runtime_error("chromium did not finish within 180 s");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("chromium failed (wait status " + std::to_string(status) + ")");
  }
  return output;
}

HeadlessChromium::LoadedPage HeadlessChromium::Load(const std::string& url,
                                                    std::chrono::milliseconds virtual_time) const {
  TempDir logs;
  const std::string net_log = logs.path() + "/net-log.json";
  LoadedPage page;
  page.dom =
      Run({"--log-net-log=" + net_log,
           "--virtual-time-budget=" + std::to_string(virtual_time.count()), "--dump-dom", url});
  // The net log is JSON, one event per line; the URLs are all we need of it.
  static const std::regex kUrl(R"re("url":"([^"]*)")re");
  const std::string log = ReadFile(net_log);
  if (log.empty()) throw std::runtime_error("chromium wrote no net log");
  for (std::sregex_iterator it(log.begin(), log.end(), kUrl), end; it != end; ++it) {
    page.requested_urls.push_back((*it)[1].str());
  }
  return page;
}

void HeadlessChromium::Screenshot(const std::string& url, const std::string& png_path, int width,
                                  int height, std::chrono::milliseconds virtual_time) const {
  Run({"--screenshot=" + png_path,
       "--window-size=" + std::to_string(width) + "," + std::to_string(height),
       "--virtual-time-budget=" + std::to_string(virtual_time.count()), url});
}

}  // namespace uudai::testing

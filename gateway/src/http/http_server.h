// HttpServer: HTTP/1.1 keep-alive server on Boost.Beast, one io_context per thread.
//
// Each thread runs its own io_context with its own SO_REUSEPORT listener, so a connection
// lives on one thread from accept to close and sessions need no locks. The server knows
// nothing of offers: it turns bytes into an HttpRequest, hands it to the handler, and writes
// the HttpResponse back (the handler may respond from any thread).
//
// Defences: header ≤ header_limit (→ 431), body ≤ body_limit (→ 413), malformed or ambiguous
// framing (Content-Length with Transfer-Encoding, duplicate Content-Length) → 400 and close;
// an idle timeout between requests, a header timeout (slow-loris) and a body timeout; a cap on
// open connections. Stop() drains: no new connections, in-flight requests finish, idle
// keep-alive connections close.
#ifndef UUDAI_GATEWAY_HTTP_HTTP_SERVER_H_
#define UUDAI_GATEWAY_HTTP_HTTP_SERVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_message.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace uudai::gateway {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: pick a free port (see HttpServer::port)
  int threads = 2;
  std::size_t header_limit = 8 * 1024;
  std::size_t body_limit = 1024 * 1024;
  // A POST to one of these paths (exact, the query left out) may carry a body of up to
  // bulk_body_limit instead (bulk registration), when bulk_admission (if set) admits its
  // Authorization header: a caller that may not use the route never gets the larger limit.
  // Every other request keeps body_limit.
  std::vector<std::string> bulk_paths;
  std::size_t bulk_body_limit = 32 * 1024 * 1024;
  std::function<bool(std::string_view authorization)> bulk_admission;
  std::chrono::milliseconds idle_timeout{60'000};    // waiting for the next request
  std::chrono::milliseconds header_timeout{10'000};  // first byte → end of headers
  std::chrono::milliseconds body_timeout{30'000};    // end of headers → end of body
  std::size_t max_connections = 10'000;
};

// Told of every connection the server accepts and closes, on that connection's thread (the
// gateway counts them in its metrics). Either may be empty.
struct ConnectionHooks {
  std::function<void()> opened;
  std::function<void()> closed;
};

class HttpServer {
 public:
  using Handler = std::function<void(HttpRequest request, Respond respond)>;

  HttpServer(ServerOptions options, Handler handler, ConnectionHooks hooks = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Starts the threads (one io_context each) without listening yet, so that other clients
  // of the same io_contexts (the Redis connections) can start first. Start() does it too.
  void StartThreads();
  // The threads' io_contexts, one per thread, in a fixed order. Valid from construction.
  std::vector<boost::asio::io_context*> io_contexts();
  // Runs `hook` in Stop() once requests have drained, before the io_contexts are left to run
  // dry: whatever else lives on them (Redis connections) must close there.
  void OnDrained(std::function<void()> hook);
  // Binds the listeners and starts accepting (and the threads, if not yet started). nullopt
  // once listening; else why it cannot (a bad address, the port taken).
  std::optional<std::string> Start();
  // The bound port (after Start).
  std::uint16_t port() const;
  // Runs `task` every `interval` on one of the server's threads until Stop().
  void RunEvery(std::chrono::milliseconds interval, std::function<void()> task);
  // Stops accepting, lets in-flight requests finish (up to `grace`), closes idle connections
  // and joins the threads. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10'000));

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_HTTP_HTTP_SERVER_H_

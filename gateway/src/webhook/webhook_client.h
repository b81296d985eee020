// WebhookClient: posts one webhook, one HTTP(S) request on a fresh connection, asynchronously
// on an Asio executor, and reports what came of it. Thread-safe: Post may be called from any
// thread; every delivery runs on a strand of the executor of its own.
//
// A post's way: the URL is checked against the OutboundPolicy (refused → no I/O at all); the
// host is resolved and every address it resolves to is checked (so DNS cannot slip a private
// address past the check); the allowed ones are tried in turn, each within connect_timeout;
// for https the server's certificate must chain to the system's trust store (or
// extra_ca_file) and name the host (SNI sent for names); the request is written with
// `Connection: close`; the status line and headers are read, then at most max_response_body
// bytes of the body, and the connection is closed. One deadline, total_timeout, covers all of
// it. Redirects are never followed: a 3xx is reported as its status, not as delivered.
//
// Once the status line and headers have arrived, the outcome is that response: a body cut
// short (by the peer, the deadline or max_response_body) only shortens body_excerpt.
//
// Nothing of a post's body, headers or the response is logged: they carry signatures.
//
// Lifetime: a delivery keeps what it needs (options, TLS context) alive itself, so the client
// may be destroyed while posts are in flight; they still complete and call `done`. The
// executor's execution context must outlive every post (destroying an io_context abandons
// its posts without calling `done`).
//
// Name resolution runs on Asio's resolver thread, one per execution context, so a slow DNS
// answer delays the other posts' resolution on the same context (never past their deadline).
#ifndef UUDAI_GATEWAY_WEBHOOK_WEBHOOK_CLIENT_H_
#define UUDAI_GATEWAY_WEBHOOK_WEBHOOK_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "webhook/outbound_policy.h"

namespace uudai::gateway {

struct WebhookClientOptions {
  OutboundPolicy policy;
  std::chrono::milliseconds connect_timeout{5000};         // each address tried
  std::chrono::milliseconds total_timeout{10000};          // resolve + connect + TLS + write + read
  std::size_t max_response_body = std::size_t{16} * 1024;  // read at most this much of the body
  std::string extra_ca_file;  // PEM; trusted besides the system store (tests, private CAs)
  std::string user_agent = "uudai-webhooks/1";
};

struct WebhookPost {
  std::string url;
  std::string body;  // sent as application/json
  // Added to the request as given (e.g. Uudai-Signature). Host, Content-Type, Content-Length,
  // Transfer-Encoding, Connection and User-Agent are the client's; a name or value that is
  // not a valid field (CR, LF, NUL, a name that is not a token) refuses the post.
  std::vector<std::pair<std::string, std::string>> headers;
};

struct WebhookOutcome {
  int status = 0;  // the HTTP status; 0 when no response came
  // "" when a response came; else a short stable reason:
  //   "refused: <why>"  the policy refused the URL or every address, or a header was invalid
  //   "resolve"         the host name did not resolve
  //   "connect"         no allowed address accepted a connection (within connect_timeout)
  //   "tls"             TLS failed: untrusted or wrongly named certificate, no common protocol
  //   "timeout"         total_timeout passed before the response's headers arrived
  //   "closed"          the peer closed or reset the connection before a full response header
  //   "bad_response"    what came back is not an HTTP/1.x response header
  std::string error;
  std::chrono::milliseconds latency{0};  // from Post to the outcome
  std::string body_excerpt;              // at most max_response_body bytes of the body
  bool delivered() const { return error.empty() && status >= 200 && status < 300; }
};

class WebhookClient {
 public:
  // The trust store (system default paths and options.extra_ca_file) is loaded once, by the
  // first https post or TlsSetupError.
  WebhookClient(boost::asio::any_io_executor executor, WebhookClientOptions options);
  ~WebhookClient();
  WebhookClient(const WebhookClient&) = delete;
  WebhookClient& operator=(const WebhookClient&) = delete;

  // Posts `post` and calls `done` exactly once with the outcome, on the executor and never
  // from within Post itself.
  void Post(WebhookPost post, std::function<void(WebhookOutcome)> done);

  // Why TLS could not be set up (extra_ca_file unreadable or not PEM), or nullopt; loads the
  // trust store if no post has. While set, every https post fails with "tls"; http posts are
  // unaffected.
  const std::optional<std::string>& TlsSetupError() const;

 private:
  struct Shared;
  class Delivery;

  std::shared_ptr<const Shared> shared_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_WEBHOOK_WEBHOOK_CLIENT_H_

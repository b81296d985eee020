// Test support: an HTTP(S) server on 127.0.0.1 that receives webhooks. It runs on a thread
// of its own, on an ephemeral port, records every request and answers as scripted: a status,
// after a delay, a redirect, a large body, garbage, or no answer at all. Thread-safe.
//
// One request per connection: after answering (or not) the receiver closes the connection.
#ifndef UUDAI_TESTS_GATEWAY_WEBHOOK_LOOPBACK_RECEIVER_H_
#define UUDAI_TESTS_GATEWAY_WEBHOOK_LOOPBACK_RECEIVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "test_certificates.h"

namespace uudai::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  std::string body;
  std::string server_name;  // the TLS client's SNI; "" without TLS or SNI

  // The first header named `name` (case-insensitive), or "" when there is none.
  std::string Header(std::string_view name) const;
};

// How the receiver answers each request it reads.
struct ReceiverScript {
  int status = 200;
  std::chrono::milliseconds delay{0};  // between reading the request and answering
  bool close_without_answer = false;   // close the connection instead of answering
  std::string location;                // a Location header, for redirects
  std::size_t body_size = 0;           // a body of this many 'x'
  std::string raw_answer;              // when set, these bytes instead of an HTTP response

  static ReceiverScript Status(int status, std::size_t body_size = 0) {
    ReceiverScript script;
    script.status = status;
    script.body_size = body_size;
    return script;
  }
  static ReceiverScript Delayed(std::chrono::milliseconds delay) {
    ReceiverScript script;
    script.delay = delay;
    return script;
  }
  static ReceiverScript Redirect(int status, std::string location) {
    ReceiverScript script = Status(status);
    script.location = std::move(location);
    return script;
  }
  static ReceiverScript CloseWithoutAnswer() {
    ReceiverScript script;
    script.close_without_answer = true;
    return script;
  }
  static ReceiverScript Raw(std::string bytes) {
    ReceiverScript script;
    script.raw_answer = std::move(bytes);
    return script;
  }
};

class LoopbackReceiver {
 public:
  // Listening when constructed; TLS with `tls`'s certificate when set.
  explicit LoopbackReceiver(ReceiverScript script = {},
                            std::optional<TestCertificate> tls = std::nullopt);
  // Stops at once: connections waiting out a delay are closed unanswered.
  ~LoopbackReceiver();
  LoopbackReceiver(const LoopbackReceiver&) = delete;
  LoopbackReceiver& operator=(const LoopbackReceiver&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:<port><path>", https with TLS.
  std::string Url(std::string_view path = "/hook") const;

  // Applies to requests read from now on.
  void SetScript(ReceiverScript script);

  // The requests read so far (recorded before the answer is sent).
  std::vector<ReceivedRequest> Requests() const;
  // TCP connections accepted so far.
  int Connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_GATEWAY_WEBHOOK_LOOPBACK_RECEIVER_H_

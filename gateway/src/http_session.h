// HttpSession: one accepted connection, read → handle → write, until close. Internal to
// HttpServer; lives on one io_context thread (its executor serializes it).
#ifndef UUDAI_GATEWAY_HTTP_SESSION_H_
#define UUDAI_GATEWAY_HTTP_SESSION_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_set>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http_server.h"
#include "metrics.h"

namespace uudai::gateway {

class HttpSession;

// What every session of a server shares.
struct ServerShared {
  ServerOptions options;
  HttpServer::Handler handler;
  Metrics& metrics;
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> in_flight{0};  // requests handed to the handler, not yet written
};

// Sessions of one thread, so Stop() can close the idle ones. Touched only on that thread.
using SessionRegistry = std::unordered_set<HttpSession*>;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, ServerShared& shared, SessionRegistry& registry);
  ~HttpSession();

  void Start();
  // Closes the connection if it is waiting for a request; otherwise it closes after the
  // response in progress. REQUIRES: on the session's thread.
  void CloseWhenIdle();

 private:
  void WaitForRequest();
  void ReadHeader();
  void ReadBody();  // answers Expect: 100-continue first
  void ReadBodyAfterContinue();
  void Dispatch();
  void Write(HttpResponse response, bool keep_alive);
  // Writes the header of a response with a BodyStream, then its chunks (WriteNextChunk).
  void WriteStreamed(HttpResponse response, bool keep_alive);
  void WriteNextChunk(std::shared_ptr<BodyStream> body, bool keep_alive);
  // Answers a read error with its refusal (400/413/431) and closes, or just closes.
  void Refuse(boost::beast::error_code ec);
  // Writes `response` (a refusal before the handler) and closes.
  void Reject(HttpResponse response);
  void Close();

  // One deadline per phase (waiting for a request, reading its header, its body, writing the
  // answer), not per read: a client trickling its header a byte at a time costs one socket
  // read per byte and no timer work (beast::tcp_stream re-arms its timer on every read).
  // When the deadline passes, the socket is closed and the pending operation fails.
  void ArmDeadline(std::chrono::steady_clock::duration timeout);
  void DisarmDeadline();
  void OnDeadline();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer deadline_;
  bool timed_out_ = false;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  ServerShared& shared_;
  SessionRegistry& registry_;
  bool idle_ = true;  // waiting for the first byte of a request
  bool closing_ = false;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_HTTP_SESSION_H_

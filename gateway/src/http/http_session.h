// HttpSession: one accepted connection, read → handle → write, until close. Internal to
// HttpServer; lives on one io_context thread (its executor serializes it).
#ifndef UUDAI_GATEWAY_HTTP_HTTP_SESSION_H_
#define UUDAI_GATEWAY_HTTP_HTTP_SESSION_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_set>

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/http_server.h"

namespace uudai::gateway {

class HttpSession;

// What every session of a server shares.
struct ServerShared {
  ServerOptions options;
  HttpServer::Handler handler;
  ConnectionHooks hooks;
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> in_flight{0};  // requests handed to the handler, not yet written
};

// Sessions of one thread, so Stop() can close the idle ones. Touched only on that thread.
using SessionRegistry = std::unordered_set<HttpSession*>;

// A session's socket and timer name their io_context's executor type rather than the
// type-erased any_io_executor: every operation (and every step of Beast's composed reads
// and writes) copies its executor, and a concrete one is a pointer copy.
using SessionExecutor = boost::asio::io_context::executor_type;
using SessionSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, SessionExecutor>;
using SessionTimer =
    boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                      boost::asio::wait_traits<std::chrono::steady_clock>,
                                      SessionExecutor>;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(SessionSocket socket, ServerShared& shared, SessionRegistry& registry);
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
  // read per byte and no timer work. A phase only writes `deadline_`; one timer wait per
  // connection checks it (OnDeadlineTimer) and is re-armed when it fires, never more than
  // `shortest_timeout_` ahead, so no phase ever has to pull it in. A keep-alive connection
  // under load thus costs no timer work per request, only a wake-up every shortest timeout.
  // When the deadline has passed, the socket is closed and the pending operation fails.
  void ArmDeadline(std::chrono::steady_clock::duration timeout);
  void DisarmDeadline();
  void StartDeadlineTimer(std::chrono::steady_clock::time_point now);
  void OnDeadlineTimer();

  // Parses what the buffer already holds (a request that came in one read, or the next one
  // pipelined behind it) without an asynchronous read; true when the parser needs no more.
  // With header_only, it stops at the end of the header.
  bool ParseBuffered(boost::beast::error_code& ec, bool header_only = false);

  SessionSocket socket_;
  SessionTimer deadline_timer_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  std::chrono::steady_clock::duration shortest_timeout_;
  bool timer_waiting_ = false;
  bool timed_out_ = false;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  ServerShared& shared_;
  SessionRegistry& registry_;
  bool idle_ = true;  // waiting for the first byte of a request
  bool closing_ = false;
  bool dispatching_ = false;  // inside the handler's call (Dispatch)
  std::chrono::steady_clock::time_point started_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_HTTP_HTTP_SESSION_H_

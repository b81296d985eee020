#include "http/http_session.h"

#include <algorithm>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "http/http_exchange.h"

namespace uudai::gateway {
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::chrono::steady_clock::duration ShortestTimeout(const ServerOptions& options) {
  const auto shortest =
      std::min({options.idle_timeout, options.header_timeout, options.body_timeout});
  return std::max<std::chrono::steady_clock::duration>(shortest, std::chrono::milliseconds(1));
}

}  // namespace

HttpSession::HttpSession(SessionSocket socket, ServerShared& shared, SessionRegistry& registry)
    : socket_(std::move(socket)),
      deadline_timer_(socket_.get_executor()),
      shortest_timeout_(ShortestTimeout(shared.options)),
      shared_(shared),
      registry_(registry) {
  if (shared_.hooks.opened) shared_.hooks.opened();
  registry_.insert(this);
}

HttpSession::~HttpSession() {
  registry_.erase(this);
  shared_.connections.fetch_sub(1);
  if (shared_.hooks.closed) shared_.hooks.closed();
}

void HttpSession::Start() {
  boost::asio::dispatch(socket_.get_executor(),
                        [self = shared_from_this()] { self->WaitForRequest(); });
}

void HttpSession::CloseWhenIdle() {
  closing_ = true;
  if (idle_) Close();
}

// Waits (idle timeout) for the first byte of the next request, unless one is buffered.
void HttpSession::WaitForRequest() {
  idle_ = true;
  if (closing_ || shared_.stopping.load()) return Close();
  if (buffer_.size() > 0) return ReadHeader();
  ArmDeadline(shared_.options.idle_timeout);
  socket_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            if (ec) return self->Close();  // timeout, peer closed, or Stop()
                            self->buffer_.commit(n);
                            self->ReadHeader();
                          });
}

// Reads the header with a fresh parser whose limits are set before any byte is parsed.
void HttpSession::ReadHeader() {
  idle_ = false;
  started_ = std::chrono::steady_clock::now();
  parser_.emplace();
  LimitParser(*parser_, shared_.options);
  ArmDeadline(shared_.options.header_timeout);
  beast::error_code ec;
  ParseBuffered(ec, /*header_only=*/true);
  if (ec) return Refuse(ec);
  if (parser_->is_header_done()) return ReadBody();
  http::async_read_header(socket_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return self->Refuse(ec);
                            self->ReadBody();
                          });
}

void HttpSession::ReadBody() {
  // The body's length must be beyond doubt before any of it is taken for the body, or what
  // follows it for the next request.
  if (auto refusal = AmbiguousFramingRefusal(*parser_)) return Reject(std::move(*refusal));
  if (auto refusal = LimitBody(*parser_, shared_.options)) return Reject(std::move(*refusal));
  ArmDeadline(shared_.options.body_timeout);
  beast::error_code ec;
  if (ParseBuffered(ec)) return Dispatch();
  if (ec) return Refuse(ec);
  auto& header = parser_->get();
  if (!parser_->is_done() && beast::iequals(header[http::field::expect], "100-continue")) {
    // The client waits for our go-ahead before sending the body (curl does for > 1 KiB).
    auto go_ahead = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                       header.version());
    http::async_write(socket_, *go_ahead,
                      [self = shared_from_this(), go_ahead](beast::error_code ec, std::size_t) {
                        if (ec) return self->Close();
                        self->ReadBodyAfterContinue();
                      });
    return;
  }
  ReadBodyAfterContinue();
}

bool HttpSession::ParseBuffered(beast::error_code& ec, bool header_only) {
  // The parser is not eager: each put() stops at the end of the header, so no byte of the body
  // is parsed before LimitBody has set the body's limit.
  while (!(header_only ? parser_->is_header_done() : parser_->is_done()) && buffer_.size() > 0) {
    const std::size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == http::error::need_more) {  // an incomplete element: wait for more bytes
      ec = {};
      break;
    }
    if (ec) break;
  }
  return parser_->is_done();
}

void HttpSession::ReadBodyAfterContinue() {
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     if (ec) return self->Refuse(ec);
                     self->Dispatch();
                   });
}

void HttpSession::Dispatch() {
  DisarmDeadline();  // the handler's own deadlines apply now
  auto& message = parser_->get();
  std::optional<HttpRequest> parsed = ToHttpRequest(message);
  if (!parsed) {
    return Reject(FramingProblem(400, "bad_request", "the request target is not a valid path"));
  }
  HttpRequest request = std::move(*parsed);
  const bool keep_alive = message.keep_alive() && !shared_.stopping.load();
  shared_.in_flight.fetch_add(1);
  auto self = shared_from_this();
  auto request_id = request.request_id;
  // Outstanding work until the handler answers: the answer may come from a store thread (the
  // journal's writer), and during Stop() the io_context must not run dry and stop before it.
  auto work =
      boost::asio::prefer(socket_.get_executor(), boost::asio::execution::outstanding_work.tracked);
  dispatching_ = true;
  shared_.handler(
      std::move(request), [self, work, keep_alive, request_id](HttpResponse response) mutable {
        response.headers.emplace_back("X-Request-Id", request_id);
        // Answered within the handler's call (healthz, quotes, refusals): write at once.
        // `dispatching_` is read only on the session's own thread (checked first).
        if (work.running_in_this_thread() && self->dispatching_) {
          self->shared_.in_flight.fetch_sub(1);
          return self->Write(std::move(response), keep_alive);
        }
        // Answered later (a store's completion, from its thread or from a Redis reply on
        // this one): continue on the session's own thread, after what that thread is doing.
        boost::asio::post(work, [self, response = std::move(response), keep_alive]() mutable {
          self->shared_.in_flight.fetch_sub(1);
          self->Write(std::move(response), keep_alive);
        });
      });
  dispatching_ = false;
}

void HttpSession::Write(HttpResponse response, bool keep_alive) {
  if (response.stream) return WriteStreamed(std::move(response), keep_alive);
  keep_alive = keep_alive && !closing_ && !shared_.stopping.load();
  const bool head = parser_ && parser_->get().method() == http::verb::head;
  auto message = std::make_shared<BeastResponse>(ToBeastResponse(
      std::move(response), parser_ ? parser_->get().version() : 11, head, keep_alive));
  ArmDeadline(shared_.options.body_timeout);
  http::async_write(
      socket_, *message,
      [self = shared_from_this(), message, keep_alive](beast::error_code ec, std::size_t) {
        if (ec || !keep_alive) return self->Close();
        self->WaitForRequest();
      });
}

void HttpSession::WriteStreamed(HttpResponse response, bool keep_alive) {
  auto header = std::make_shared<http::response<http::empty_body>>();
  header->version(parser_ ? parser_->get().version() : 11);
  header->result(static_cast<unsigned>(response.status));
  header->set(http::field::server, "uudai");
  header->set(http::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) header->set(name, value);
  keep_alive = keep_alive && !closing_ && !shared_.stopping.load();
  header->keep_alive(keep_alive);
  header->chunked(true);
  const bool head = parser_ && parser_->get().method() == http::verb::head;
  auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*header);
  ArmDeadline(shared_.options.body_timeout);
  http::async_write_header(
      socket_, *serializer,
      [self = shared_from_this(), header, serializer, body = std::move(response.stream), keep_alive,
       head](beast::error_code ec, std::size_t) mutable {
        if (ec) return self->Close();
        if (head) {  // the header only: no chunk, not even the last one (RFC 9110 §9.3.2)
          return keep_alive ? self->WaitForRequest() : self->Close();
        }
        self->WriteNextChunk(std::move(body), keep_alive);
      });
}

void HttpSession::WriteNextChunk(std::shared_ptr<BodyStream> body, bool keep_alive) {
  // The stream may answer from another thread, as a handler may: keep the io_context from
  // running dry meanwhile, and continue on the session's own thread.
  auto work =
      boost::asio::prefer(socket_.get_executor(), boost::asio::execution::outstanding_work.tracked);
  auto* producer = body.get();
  producer->Next([self = shared_from_this(), body = std::move(body), work,
                  keep_alive](std::optional<std::string> chunk) mutable {
    boost::asio::post(work, [self = std::move(self), body = std::move(body), keep_alive,
                             chunk = std::move(chunk)]() mutable {
      if (!chunk) return self->Close();  // truncated on purpose: see ChunkSink
      self->ArmDeadline(self->shared_.options.body_timeout);
      if (chunk->empty()) {
        return boost::asio::async_write(self->socket_, http::make_chunk_last(),
                                        [self, keep_alive](beast::error_code ec, std::size_t) {
                                          if (ec || !keep_alive) return self->Close();
                                          self->WaitForRequest();
                                        });
      }
      auto data = std::make_shared<std::string>(std::move(*chunk));
      boost::asio::async_write(self->socket_, http::make_chunk(boost::asio::buffer(*data)),
                               [self, data, body = std::move(body), keep_alive](
                                   beast::error_code ec, std::size_t) mutable {
                                 if (ec) return self->Close();
                                 self->WriteNextChunk(std::move(body), keep_alive);
                               });
    });
  });
}

void HttpSession::Refuse(beast::error_code ec) {
  if (timed_out_) return Close();
  // The limit that applied: the request's own once its header is in (a Content-Length over
  // every limit is refused while the header is parsed).
  const std::size_t body_limit =
      parser_ && (parser_->is_header_done() || ec == http::error::body_limit)
          ? BodyLimitFor(*parser_, shared_.options)
          : shared_.options.body_limit;
  std::optional<HttpResponse> refusal = FramingRefusal(ec, shared_.options, body_limit);
  if (!refusal) return Close();  // timeout, or the peer is gone
  Reject(std::move(*refusal));
}

void HttpSession::Reject(HttpResponse response) {
  closing_ = true;
  Write(std::move(response), false);
}

void HttpSession::ArmDeadline(std::chrono::steady_clock::duration timeout) {
  const auto now = std::chrono::steady_clock::now();
  deadline_ = now + timeout;
  if (!timer_waiting_) StartDeadlineTimer(now);
}

void HttpSession::DisarmDeadline() { deadline_ = std::chrono::steady_clock::time_point::max(); }

void HttpSession::StartDeadlineTimer(std::chrono::steady_clock::time_point now) {
  // Never further ahead than the shortest timeout: a later phase's deadline, at least that
  // far from its own start, then never falls before the wait ends.
  deadline_timer_.expires_at(std::min(deadline_, now + shortest_timeout_));
  timer_waiting_ = true;
  deadline_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;  // Close(), or the session is gone
    if (auto self = weak.lock()) self->OnDeadlineTimer();
  });
}

void HttpSession::OnDeadlineTimer() {
  timer_waiting_ = false;
  if (!socket_.is_open()) return;
  const auto now = std::chrono::steady_clock::now();
  if (deadline_ > now) return StartDeadlineTimer(now);
  timed_out_ = true;
  Close();
}

void HttpSession::Close() {
  beast::error_code ec;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  deadline_timer_.cancel();
}

}  // namespace uudai::gateway

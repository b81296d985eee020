#include "webhook/webhook_client.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <mutex>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "webhook/webhook_request.h"

namespace uudai::gateway {
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kHeaderLimit =
    std::size_t{16} * 1024;              // a response header larger than this is bad
constexpr int kMaxInterimResponses = 8;  // 1xx responses skipped before the final one

// How a failed read of the response header is reported.
std::string ReadError(const boost::system::error_code& ec) {
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return "closed";
  if (ec.category() == http::make_error_code(http::error::end_of_stream).category()) {
    return "bad_response";  // the parser's own errors: not an HTTP/1.x header
  }
  return "closed";  // reset, TLS truncated: the peer went away
}

}  // namespace

struct WebhookClient::Shared {
  net::any_io_executor executor;
  WebhookClientOptions options;
  // Made by the first https post (loading the system's trust store takes a while and a few MB:
  // a gateway whose webhooks are all http never pays for it). Absent when tls_error is set.
  // Mutable: ssl::stream wants it non-const to create its SSL object, which only reads it
  // (OpenSSL allows that from several threads at once).
  mutable std::optional<ssl::context> tls;
  mutable std::optional<std::string> tls_error;
  mutable std::once_flag tls_once;

  void EnsureTls() const {
    std::call_once(tls_once, [this] {
      tls.emplace(ssl::context::tls_client);
      SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
      tls->set_verify_mode(ssl::verify_peer);
      boost::system::error_code ec;
      tls->set_default_verify_paths(ec);
      if (!ec && !options.extra_ca_file.empty()) tls->load_verify_file(options.extra_ca_file, ec);
      if (ec) {
        tls_error =
            "cannot load the trust store (" +
            (options.extra_ca_file.empty() ? std::string("system") : options.extra_ca_file) +
            "): " + ec.message();
        tls.reset();
      }
    });
  }
};

// One post: resolve, connect, handshake, write, read, on a strand of its own. Keeps itself
// alive through the handlers it has pending; Finish completes it exactly once.
class WebhookClient::Delivery : public std::enable_shared_from_this<Delivery> {
 public:
  Delivery(std::shared_ptr<const Shared> shared, WebhookPost post,
           std::function<void(WebhookOutcome)> done, Clock::time_point started)
      : shared_(std::move(shared)),
        options_(shared_->options),
        strand_(net::make_strand(shared_->executor)),
        target_(WebhookTargetOf(post.url)),
        done_(std::move(done)),
        started_(started),
        resolver_(strand_),
        deadline_(strand_),
        attempt_timer_(strand_) {
    request_.method(http::verb::post);
    request_.target(target_.path);
    request_.version(11);
    request_.set(http::field::host, target_.host_header);
    request_.set(http::field::user_agent, options_.user_agent);
    request_.set(http::field::content_type, "application/json");
    request_.set(http::field::connection, "close");
    for (auto& [name, value] : post.headers) request_.insert(name, value);
    request_.body() = std::move(post.body);
    request_.prepare_payload();
  }

  void Start() {
    net::post(strand_, [self = shared_from_this()] { self->Begin(); });
  }

 private:
  void Begin() {
    deadline_.expires_at(started_ + options_.total_timeout);
    deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->Finish("timeout");
    });
    if (target_.tls) {
      shared_->EnsureTls();
      if (!shared_->tls) return Finish("tls");
      tls_.emplace(strand_, *shared_->tls);
    } else {
      plain_.emplace(strand_);
    }
    resolver_.async_resolve(
        target_.host, target_.port, tcp::resolver::numeric_service,
        [self = shared_from_this()](const boost::system::error_code& ec,
                                    const tcp::resolver::results_type& results) {
          self->OnResolved(ec, results);
        });
  }

  // Keeps the addresses the policy allows, each once, in the resolver's order.
  void OnResolved(const boost::system::error_code& ec, const tcp::resolver::results_type& results) {
    if (finished_) return;
    if (ec) return Finish("resolve");
    std::optional<std::string> refusal;
    for (const auto& entry : results) {
      const tcp::endpoint endpoint = entry.endpoint();
      if (auto why = options_.policy.CheckAddress(target_.host, endpoint.address())) {
        if (!refusal) refusal = std::move(why);
      } else if (std::find(endpoints_.begin(), endpoints_.end(), endpoint) == endpoints_.end()) {
        endpoints_.push_back(endpoint);
      }
    }
    if (endpoints_.empty()) return Finish("refused: " + refusal.value_or("no address"));
    ConnectNext();
  }

  // Tries the next allowed address, for at most connect_timeout.
  void ConnectNext() {
    if (next_endpoint_ == endpoints_.size()) return Finish("connect");
    boost::system::error_code ignored;
    Socket().close(ignored);
    const std::size_t attempt = ++next_endpoint_;
    attempt_timed_out_ = false;
    attempt_timer_.expires_after(options_.connect_timeout);
    attempt_timer_.async_wait(
        [self = shared_from_this(), attempt](const boost::system::error_code& ec) {
          if (ec || self->finished_ || self->next_endpoint_ != attempt || !self->connecting_) {
            return;
          }
          self->attempt_timed_out_ = true;
          boost::system::error_code ignored;
          self->Socket().close(ignored);
        });
    connecting_ = true;
    Socket().async_connect(endpoints_[attempt - 1],
                           [self = shared_from_this()](const boost::system::error_code& ec) {
                             self->connecting_ = false;
                             if (self->finished_) return;
                             self->attempt_timer_.cancel();
                             if (ec || self->attempt_timed_out_) return self->ConnectNext();
                             self->OnConnected();
                           });
  }

  void OnConnected() {
    if (!tls_) return Write();
    SSL* ssl = tls_->native_handle();
    // SNI carries names only (RFC 6066 §3); an address is matched against the certificate's
    // IP addresses instead.
    if (!target_.host_is_address && SSL_set_tlsext_host_name(ssl, target_.tls_name.c_str()) != 1) {
      return Finish("tls");
    }
    tls_->set_verify_mode(ssl::verify_peer);
    tls_->set_verify_callback(ssl::host_name_verification(target_.tls_name));
    tls_->async_handshake(ssl::stream_base::client,
                          [self = shared_from_this()](const boost::system::error_code& ec) {
                            if (self->finished_) return;
                            if (ec) return self->Finish("tls");
                            self->Write();
                          });
  }

  void Write() {
    WithStream([this](auto& stream) {
      http::async_write(
          stream, request_,
          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            if (self->finished_) return;
            if (ec) return self->Finish("closed");
            self->ReadHeader();
          });
    });
  }

  // Reads a response header with a fresh parser; skips interim (1xx) responses.
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(boost::none);  // the body is cut at max_response_body by ReadBody
    WithStream([this](auto& stream) {
      http::async_read_header(
          stream, buffer_, *parser_,
          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            if (self->finished_) return;
            if (ec) return self->Finish(ReadError(ec));
            const int status = static_cast<int>(self->parser_->get().result_int());
            if (status < 100 || status == 101) return self->Finish("bad_response");
            if (status < 200) {
              if (++self->interim_responses_ > kMaxInterimResponses) {
                return self->Finish("bad_response");
              }
              return self->ReadHeader();
            }
            self->status_ = status;
            self->ReadBody();
          });
    });
  }

  // Reads the body into body_excerpt_ until it is complete or max_response_body is reached.
  void ReadBody() {
    const std::size_t room = options_.max_response_body - excerpt_.size();
    if (parser_->is_done() || room == 0) return Finish("");
    auto& body = parser_->get().body();
    requested_ = std::min(room, chunk_.size());
    body.data = chunk_.data();
    body.size = requested_;
    WithStream([this](auto& stream) {
      http::async_read(stream, buffer_, *parser_,
                       [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                         if (self->finished_) return;
                         self->excerpt_.append(self->chunk_.data(),
                                               self->requested_ - self->parser_->get().body().size);
                         if (ec == http::error::need_buffer) ec = {};  // the chunk is full: read on
                         if (ec)
                           return self->Finish("");  // the header counts; the excerpt is cut short
                         self->ReadBody();
                       });
    });
  }

  // Completes the post once: stops every operation and calls done_ with the outcome. A
  // response header, once read, wins over any later error.
  void Finish(std::string error) {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    attempt_timer_.cancel();
    resolver_.cancel();
    if (plain_ || tls_) {
      boost::system::error_code ignored;
      Socket().close(ignored);
    }
    WebhookOutcome outcome;
    outcome.status = status_;
    outcome.error = status_ != 0 ? "" : std::move(error);
    outcome.latency =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_);
    outcome.body_excerpt = std::move(excerpt_);
    auto done = std::move(done_);
    done(std::move(outcome));
  }

  tcp::socket& Socket() { return tls_ ? tls_->next_layer() : *plain_; }

  template <class Operation>
  void WithStream(Operation&& operation) {
    if (tls_) {
      operation(*tls_);
    } else {
      operation(*plain_);
    }
  }

  const std::shared_ptr<const Shared> shared_;
  const WebhookClientOptions& options_;  // shared_'s
  net::strand<net::any_io_executor> strand_;
  const WebhookTarget target_;
  std::function<void(WebhookOutcome)> done_;
  const Clock::time_point started_;
  tcp::resolver resolver_;
  net::steady_timer deadline_;       // total_timeout, from Post
  net::steady_timer attempt_timer_;  // connect_timeout, per address
  std::optional<tcp::socket> plain_;
  std::optional<ssl::stream<tcp::socket>> tls_;
  std::vector<tcp::endpoint> endpoints_;  // allowed by the policy
  std::size_t next_endpoint_ = 0;
  bool connecting_ = false;
  bool attempt_timed_out_ = false;
  http::request<http::string_body> request_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::buffer_body>> parser_;
  int interim_responses_ = 0;
  std::array<char, 8192> chunk_{};
  std::size_t requested_ = 0;  // of chunk_, by the read in progress
  std::string excerpt_;
  int status_ = 0;
  bool finished_ = false;
};

WebhookClient::WebhookClient(net::any_io_executor executor, WebhookClientOptions options) {
  auto shared = std::make_shared<Shared>();
  shared->executor = std::move(executor);
  shared->options = std::move(options);
  shared_ = std::move(shared);
}

WebhookClient::~WebhookClient() = default;

void WebhookClient::Post(WebhookPost post, std::function<void(WebhookOutcome)> done) {
  const Clock::time_point started = Clock::now();
  std::optional<std::string> refusal = shared_->options.policy.CheckUrl(post.url);
  if (!refusal) refusal = WebhookHeaderProblem(post.headers);
  if (refusal) {
    WebhookOutcome outcome;
    outcome.error = "refused: " + *refusal;
    outcome.latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    net::post(shared_->executor, [done = std::move(done), outcome = std::move(outcome)]() mutable {
      done(std::move(outcome));
    });
    return;
  }
  std::make_shared<Delivery>(shared_, std::move(post), std::move(done), started)->Start();
}

const std::optional<std::string>& WebhookClient::TlsSetupError() const {
  shared_->EnsureTls();
  return shared_->tls_error;
}

}  // namespace uudai::gateway

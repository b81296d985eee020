#include "loopback_receiver.h"

#include <openssl/ssl.h>

#include <atomic>
#include <cctype>
#include <mutex>
#include <thread>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace uudai::testing {
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

std::string ReceivedRequest::Header(std::string_view name) const {
  const auto equal = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(a[i])) !=
          std::tolower(static_cast<unsigned char>(b[i]))) {
        return false;
      }
    }
    return true;
  };
  for (const auto& [key, value] : headers) {
    if (equal(key, name)) return value;
  }
  return "";
}

namespace {

// What the connections share: the script and the requests.
class ReceiverLog {
 public:
  explicit ReceiverLog(ReceiverScript script) : script_(std::move(script)) {}

  void SetScript(ReceiverScript script) {
    std::lock_guard lock(mutex_);
    script_ = std::move(script);
  }

  // Records `request`; returns how to answer it.
  ReceiverScript Record(ReceivedRequest request) {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
    return script_;
  }

  std::vector<ReceivedRequest> Requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  mutable std::mutex mutex_;
  ReceiverScript script_;
  std::vector<ReceivedRequest> requests_;
};

// One connection: (TLS handshake,) read one request, record it, answer per the script, close.
template <class Stream>
class Exchange : public std::enable_shared_from_this<Exchange<Stream>> {
 public:
  template <class... Args>
  Exchange(ReceiverLog& log, Args&&... stream_args)
      : log_(log), stream_(std::forward<Args>(stream_args)...), timer_(stream_.get_executor()) {}

  void Start() {
    if constexpr (std::is_same_v<Stream, tcp::socket>) {
      Read();
    } else {
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](boost::system::error_code ec) {
                                if (!ec) self->Read();
                              });
    }
  }

 private:
  void Read() {
    parser_.body_limit(std::uint64_t{64} * 1024 * 1024);
    http::async_read(stream_, buffer_, parser_,
                     [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
                       if (!ec) self->OnRequest();
                     });
  }

  void OnRequest() {
    const auto& message = parser_.get();
    ReceivedRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = message.body();
    if constexpr (!std::is_same_v<Stream, tcp::socket>) {
      const char* name = SSL_get_servername(stream_.native_handle(), TLSEXT_NAMETYPE_host_name);
      if (name != nullptr) request.server_name = name;
    }
    script_ = log_.Record(std::move(request));
    timer_.expires_after(script_.delay);
    timer_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->Answer();
    });
  }

  void Answer() {
    if (script_.close_without_answer) return Close();
    if (!script_.raw_answer.empty()) {
      net::async_write(stream_, net::buffer(script_.raw_answer),
                       [self = this->shared_from_this()](boost::system::error_code, std::size_t) {
                         self->Close();
                       });
      return;
    }
    response_.result(static_cast<unsigned>(script_.status));
    response_.version(11);
    response_.set(http::field::content_type, "text/plain");
    response_.set(http::field::connection, "close");
    if (!script_.location.empty()) response_.set(http::field::location, script_.location);
    response_.body().assign(script_.body_size, 'x');
    response_.prepare_payload();
    // The client may close early (a body past its limit): a failed write is expected then.
    http::async_write(stream_, response_,
                      [self = this->shared_from_this()](boost::system::error_code, std::size_t) {
                        self->Close();
                      });
  }

  void Close() {
    boost::system::error_code ignored;
    auto& socket = [this]() -> tcp::socket& {
      if constexpr (std::is_same_v<Stream, tcp::socket>) {
        return stream_;
      } else {
        return stream_.next_layer();
      }
    }();
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  ReceiverLog& log_;
  Stream stream_;
  net::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  ReceiverScript script_;
  http::response<http::string_body> response_;
};

}  // namespace

class LoopbackReceiver::Impl {
 public:
  Impl(ReceiverScript script, std::optional<TestCertificate> tls) : log_(std::move(script)) {
    if (tls) {
      tls_.emplace(ssl::context::tls_server);
      tls_->use_certificate_chain(net::buffer(tls->certificate_pem));
      tls_->use_private_key(net::buffer(tls->private_key_pem), ssl::context::pem);
    }
    acceptor_.open(tcp::v4());
    acceptor_.bind(tcp::endpoint(net::ip::make_address_v4("127.0.0.1"), 0));
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }

  // Stopping the io_context abandons every connection; destroying it closes them.
  ~Impl() {
    io_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return port_; }
  bool tls() const { return tls_.has_value(); }
  ReceiverLog& log() { return log_; }
  int Connections() const { return connections_.load(); }

 private:
  void Accept();

  // Declared before io_: the connections it destroys last use them.
  ReceiverLog log_;
  std::optional<ssl::context> tls_;
  net::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

void LoopbackReceiver::Impl::Accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) return;  // the acceptor is gone
    connections_.fetch_add(1);
    if (tls_) {
      std::make_shared<Exchange<ssl::stream<tcp::socket>>>(log_, std::move(socket), *tls_)->Start();
    } else {
      std::make_shared<Exchange<tcp::socket>>(log_, std::move(socket))->Start();
    }
    Accept();
  });
}

LoopbackReceiver::LoopbackReceiver(ReceiverScript script, std::optional<TestCertificate> tls)
    : impl_(std::make_unique<Impl>(std::move(script), std::move(tls))) {}

LoopbackReceiver::~LoopbackReceiver() = default;

std::uint16_t LoopbackReceiver::port() const { return impl_->port(); }

std::string LoopbackReceiver::Url(std::string_view path) const {
  return std::string(impl_->tls() ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(impl_->port()) + std::string(path);
}

void LoopbackReceiver::SetScript(ReceiverScript script) {
  impl_->log().SetScript(std::move(script));
}

std::vector<ReceivedRequest> LoopbackReceiver::Requests() const { return impl_->log().Requests(); }

int LoopbackReceiver::Connections() const { return impl_->Connections(); }

}  // namespace uudai::testing

// A bare Boost.Beast keep-alive server: the yardstick for uudai's own GET /healthz
// (docs/design.md §6: within 10 % of it). One thread, one io_context; every request, whatever its
// target, gets the answer uudai's /healthz gives (200, the same headers but the request id,
// {"status":"ok"}). No router, no auth, no timeouts, no limits, no metrics, no access log:
// what uudai's server adds on top of Beast is exactly what the comparison measures.
// Usage: bare_beast_server PORT   (listens on 127.0.0.1:PORT until killed)
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(tcp::socket socket) : socket_(std::move(socket)) {}

  void Read() {
    request_ = {};
    http::async_read(socket_, buffer_, request_,
                     [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                       if (ec) return;  // the peer closed, or sent something unreadable
                       self->Answer();
                     });
  }

 private:
  void Answer() {
    response_ = {};
    response_.result(http::status::ok);
    response_.version(request_.version());
    response_.set(http::field::server, "uudai");
    response_.set(http::field::content_type, "application/json");
    response_.body() = R"({"status":"ok"})";
    response_.keep_alive(request_.keep_alive());
    response_.prepare_payload();
    http::async_write(socket_, response_,
                      [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                        if (ec || !self->response_.keep_alive()) return;
                        self->Read();
                      });
  }

  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void Accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](boost::system::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Connection>(std::move(socket))->Read();
    }
    Accept(acceptor);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bare_beast_server PORT\n");
    return 2;
  }
  net::io_context io{1};
  tcp::acceptor acceptor(
      io, tcp::endpoint(net::ip::make_address("127.0.0.1"),
                        static_cast<unsigned short>(std::strtoul(argv[1], nullptr, 10))));
  Accept(acceptor);
  io.run();
}

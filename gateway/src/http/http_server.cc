#include "http/http_server.h"

#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/http_session.h"

namespace uudai::gateway {
namespace net = boost::asio;
using tcp = net::ip::tcp;

// One thread's world: its io_context, listener and sessions.
struct Worker {
  net::io_context io{1};
  // Keeps run() going before the listener exists and while other users (Redis connections)
  // are idle; released when the server stops.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard{io.get_executor()};
  std::optional<tcp::acceptor> acceptor;
  SessionRegistry sessions;
  std::thread thread;
};

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, Handler handler, ConnectionHooks hooks)
      : shared_{std::move(options), std::move(handler), std::move(hooks)} {
    for (int i = 0; i < std::max(1, shared_.options.threads); ++i) {
      workers_.push_back(std::make_unique<Worker>());
    }
  }

  void StartThreads() {
    if (threads_started_) return;
    threads_started_ = true;
    for (auto& worker : workers_) {
      worker->thread = std::thread([w = worker.get()] { w->io.run(); });
    }
  }

  std::vector<net::io_context*> io_contexts() {
    std::vector<net::io_context*> out;
    for (auto& worker : workers_) out.push_back(&worker->io);
    return out;
  }

  void OnDrained(std::function<void()> hook) { on_drained_ = std::move(hook); }

  std::optional<std::string> Start() {
    boost::system::error_code ec;
    const auto address = net::ip::make_address(shared_.options.address, ec);
    if (ec) return "bad listen address " + shared_.options.address;
    tcp::endpoint endpoint(address, shared_.options.port);
    if (endpoint.port() != 0) {
      // SO_REUSEPORT would let a second uudai share the port and silently split the traffic
      // (and the in-memory state) with us: make sure nobody listens there yet.
      net::io_context probe_io;
      tcp::acceptor probe(probe_io);
      probe.open(endpoint.protocol(), ec);
      if (!ec) probe.set_option(net::socket_base::reuse_address(true), ec);
      if (!ec) probe.bind(endpoint, ec);
      if (ec) {
        return "cannot listen on " + shared_.options.address + ":" +
               std::to_string(endpoint.port()) + ": " + ec.message();
      }
    }
    for (auto& worker : workers_) {
      auto& acceptor = worker->acceptor.emplace(worker->io);
      acceptor.open(endpoint.protocol(), ec);
      if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
      if (!ec) {
        int one = 1;  // every thread listens on the same port; the kernel spreads connections
        if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) !=
            0) {
          ec.assign(errno, boost::system::system_category());
        }
      }
      if (!ec) acceptor.bind(endpoint, ec);
      if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
      if (ec) {
        return "cannot listen on " + shared_.options.address + ":" +
               std::to_string(endpoint.port()) + ": " + ec.message();
      }
      endpoint = acceptor.local_endpoint();  // port 0 → the port the first listener got
    }
    port_ = endpoint.port();
    for (auto& worker : workers_) {
      net::post(worker->io, [this, w = worker.get()] { Accept(*w); });
    }
    StartThreads();
    return std::nullopt;
  }

  std::uint16_t port() const { return port_; }

  void RunEvery(std::chrono::milliseconds interval, std::function<void()> task) {
    Worker& worker = *workers_.front();
    auto timer = std::make_shared<net::steady_timer>(worker.io);
    auto tick = std::make_shared<std::function<void()>>();
    *tick = [this, timer, interval, task = std::move(task), weak = std::weak_ptr(tick)] {
      timer->expires_after(interval);
      timer->async_wait([this, task, weak](boost::system::error_code ec) {
        if (ec || shared_.stopping.load()) return;
        task();
        if (auto next = weak.lock()) (*next)();
      });
    };
    timers_.push_back(timer);
    ticks_.push_back(tick);
    net::post(worker.io, [tick] { (*tick)(); });
  }

  void Stop(std::chrono::milliseconds grace) {
    if (shared_.stopping.exchange(true)) return;
    for (auto& worker : workers_) {
      net::post(worker->io, [w = worker.get(), this] {
        boost::system::error_code ec;
        if (w->acceptor) w->acceptor->close(ec);
        for (HttpSession* session : w->sessions) session->CloseWhenIdle();
        // RunEvery's timers live on the first worker; a timer is touched only on its thread.
        if (w == workers_.front().get()) {
          for (auto& timer : timers_) timer->cancel();
        }
      });
    }
    // In-flight requests finish and their sessions close; then each io_context runs dry.
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (shared_.in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // Let the last responses be written, then stop whatever is left (e.g. slow writers).
    for (auto& worker : workers_) {
      net::post(worker->io, [w = worker.get()] {
        for (HttpSession* session : w->sessions) session->CloseWhenIdle();
      });
    }
    if (on_drained_) on_drained_();  // e.g. the Redis connections on these threads close
    for (auto& worker : workers_) worker->guard.reset();
    for (auto& worker : workers_) {
      while (threads_started_ && !worker->io.stopped() &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      worker->io.stop();
      if (worker->thread.joinable()) worker->thread.join();
    }
  }

 private:
  void Accept(Worker& worker) {
    worker.acceptor->async_accept(
        worker.io, [this, &worker](boost::system::error_code ec, SessionSocket socket) {
          if (ec) {
            if (ec == net::error::operation_aborted || shared_.stopping.load()) return;
            return Accept(worker);  // e.g. EMFILE: keep serving the connections we have
          }
          if (shared_.connections.fetch_add(1) >= shared_.options.max_connections) {
            shared_.connections.fetch_sub(1);
            boost::system::error_code ignored;
            socket.close(ignored);  // over the cap: refuse rather than starve the others
          } else {
            socket.set_option(tcp::no_delay(true), ec);
            std::make_shared<HttpSession>(std::move(socket), shared_, worker.sessions)->Start();
          }
          Accept(worker);
        });
  }

  ServerShared shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::shared_ptr<net::steady_timer>> timers_;
  std::vector<std::shared_ptr<std::function<void()>>> ticks_;
  std::uint16_t port_ = 0;
  bool threads_started_ = false;
  std::function<void()> on_drained_;
};

HttpServer::HttpServer(ServerOptions options, Handler handler, ConnectionHooks hooks)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(hooks))) {}

HttpServer::~HttpServer() { Stop(std::chrono::milliseconds(1000)); }

void HttpServer::StartThreads() { impl_->StartThreads(); }
std::vector<boost::asio::io_context*> HttpServer::io_contexts() { return impl_->io_contexts(); }
void HttpServer::OnDrained(std::function<void()> hook) { impl_->OnDrained(std::move(hook)); }
std::optional<std::string> HttpServer::Start() { return impl_->Start(); }
std::uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::RunEvery(std::chrono::milliseconds interval, std::function<void()> task) {
  impl_->RunEvery(interval, std::move(task));
}
void HttpServer::Stop(std::chrono::milliseconds grace) { impl_->Stop(grace); }

}  // namespace uudai::gateway

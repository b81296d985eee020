// HiredisAsioEvents: drives one hiredis async context from an Asio io_context.
//
// hiredis asks for socket readiness through its event hooks (addRead/delRead/addWrite/
// delWrite) and announces the end of the context through `cleanup`. This class answers the
// hooks with async_wait(wait_read / wait_write) on a non-owning stream_descriptor over the
// context's fd and calls redisAsyncHandleRead / redisAsyncHandleWrite when it is ready.
//
// One instance per context. hiredis owns and closes the fd: the cleanup hook (called before
// hiredis closes it) releases the descriptor and detaches, after which every wait still
// outstanding completes as a no-op. Internal to RedisConnection; io_context thread only.
#ifndef UUDAI_GATEWAY_REDIS_HIREDIS_ASIO_EVENTS_H_
#define UUDAI_GATEWAY_REDIS_HIREDIS_ASIO_EVENTS_H_

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

struct redisAsyncContext;  // hiredis

namespace uudai::gateway {

class HiredisAsioEvents : public std::enable_shared_from_this<HiredisAsioEvents> {
 public:
  struct Hooks {
    // The context is being freed (hiredis's cleanup hook); it must not be used afterwards.
    std::function<void()> on_detach;
    // A readiness wait failed (never for cancellation); the owner should free the context.
    std::function<void(const std::string& reason)> on_error;
  };

  // Installs the hooks on `ac` (whose ev hooks must be unset). `owner` is kept alive by every
  // outstanding wait, since hiredis runs the owner's reply callbacks from inside them.
  static std::shared_ptr<HiredisAsioEvents> Attach(boost::asio::io_context& io,
                                                   redisAsyncContext* ac, std::weak_ptr<void> owner,
                                                   Hooks hooks);

  HiredisAsioEvents(boost::asio::io_context& io, redisAsyncContext* ac, std::weak_ptr<void> owner,
                    Hooks hooks);

 private:
  enum Direction { kRead = 0, kWrite = 1 };

  void Want(Direction direction);
  void OnReady(Direction direction, const boost::system::error_code& ec);
  void Detach();

  redisAsyncContext* ac_;  // null once detached
  boost::asio::posix::stream_descriptor socket_;
  std::weak_ptr<void> owner_;
  Hooks hooks_;
  bool wanted_[2] = {false, false};   // hiredis asked for this readiness
  bool waiting_[2] = {false, false};  // an async_wait is outstanding
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_HIREDIS_ASIO_EVENTS_H_

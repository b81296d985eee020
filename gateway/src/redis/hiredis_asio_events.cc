#include "redis/hiredis_asio_events.h"

#include <hiredis/async.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace uudai::gateway {
namespace net = boost::asio;

std::shared_ptr<HiredisAsioEvents> HiredisAsioEvents::Attach(net::io_context& io,
                                                             redisAsyncContext* ac,
                                                             std::weak_ptr<void> owner,
                                                             Hooks hooks) {
  auto events = std::make_shared<HiredisAsioEvents>(io, ac, std::move(owner), std::move(hooks));
  ac->ev.data = events.get();  // valid until Detach: the owner holds `events` until then
  ac->ev.addRead = [](void* self) { static_cast<HiredisAsioEvents*>(self)->Want(kRead); };
  ac->ev.delRead = [](void* self) {
    static_cast<HiredisAsioEvents*>(self)->wanted_[kRead] = false;
  };
  ac->ev.addWrite = [](void* self) { static_cast<HiredisAsioEvents*>(self)->Want(kWrite); };
  ac->ev.delWrite = [](void* self) {
    static_cast<HiredisAsioEvents*>(self)->wanted_[kWrite] = false;
  };
  ac->ev.cleanup = [](void* self) { static_cast<HiredisAsioEvents*>(self)->Detach(); };
  return events;
}

HiredisAsioEvents::HiredisAsioEvents(net::io_context& io, redisAsyncContext* ac,
                                     std::weak_ptr<void> owner, Hooks hooks)
    : ac_(ac), socket_(io, ac->c.fd), owner_(std::move(owner)), hooks_(std::move(hooks)) {
  const int one = 1;  // pipelined commands go out at once, not after Nagle's delay
  ::setsockopt(ac->c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void HiredisAsioEvents::Want(Direction direction) {
  wanted_[direction] = true;
  if (waiting_[direction] || ac_ == nullptr) return;
  waiting_[direction] = true;
  socket_.async_wait(direction == kRead ? net::posix::stream_descriptor::wait_read
                                        : net::posix::stream_descriptor::wait_write,
                     [self = shared_from_this(), owner = owner_.lock(), direction](
                         const boost::system::error_code& ec) { self->OnReady(direction, ec); });
}

void HiredisAsioEvents::OnReady(Direction direction, const boost::system::error_code& ec) {
  waiting_[direction] = false;
  // Detached (the context is gone) or the socket released: nothing to do.
  if (ac_ == nullptr || ec == net::error::operation_aborted) return;
  if (ec) {
    hooks_.on_error("socket wait failed: " + ec.message());
    return;
  }
  if (!wanted_[direction]) return;  // hiredis no longer cares (delRead/delWrite)
  if (direction == kRead) {
    redisAsyncHandleRead(ac_);
  } else {
    redisAsyncHandleWrite(ac_);
  }
  // hiredis usually re-arms through the hooks itself; make sure a wanted wait is outstanding.
  if (ac_ != nullptr && wanted_[direction]) Want(direction);
}

void HiredisAsioEvents::Detach() {
  if (ac_ == nullptr) return;
  // No hook may reach this object again, whatever the hiredis version does after cleanup.
  ac_->ev.addRead = ac_->ev.delRead = ac_->ev.addWrite = ac_->ev.delWrite = nullptr;
  ac_->ev.cleanup = nullptr;
  ac_ = nullptr;
  wanted_[kRead] = wanted_[kWrite] = false;
  socket_.release();  // hiredis closes the fd; pending waits complete as operation_aborted
  if (hooks_.on_detach) hooks_.on_detach();
}

}  // namespace uudai::gateway

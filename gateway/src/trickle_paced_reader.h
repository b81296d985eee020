// TricklePacedReader: the read side of a session's socket, as the AsyncReadStream that Beast's
// HTTP readers read a request from. A client that trickles its request (slow-loris: a byte
// or a few at a time) is read less often: after `small_reads_before_pause` reads in a row that
// each returned fewer than `small_read_bytes` bytes, every further read first waits a
// jittered pause, and the kernel gathers what arrives meanwhile into one read.
//
// Why: each read costs the I/O thread a wake-up, two syscalls and a parse whatever its size,
// and a thousand trickling connections read ten times a second each are thousands of reads
// a second queued ahead of real requests. Paced, they are a few times fewer, spread out by
// the jitter instead of arriving in the client's bursts. A real client sends its header in
// one or two segments and never pauses; one whose header comes in many small pieces waits at
// most one pause per read (its bytes are not lost, only read later). The phase deadlines
// (header, body timeouts) still run from the first byte, so pausing never extends them.
//
// Not thread-safe: it lives on its session's thread, like the session.
#ifndef UUDAI_GATEWAY_TRICKLE_PACED_READER_H_
#define UUDAI_GATEWAY_TRICKLE_PACED_READER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include "http_server.h"
#include "metrics.h"

namespace uudai::gateway {

class TricklePacedReader {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;

  // Counts each paused read in `metrics` (uudai_http_paused_reads_total).
  TricklePacedReader(boost::asio::ip::tcp::socket& socket, TricklePacing pacing, Metrics& metrics)
      : socket_(socket), pause_(socket.get_executor()), pacing_(pacing), metrics_(metrics) {}

  executor_type get_executor() { return socket_.get_executor(); }

  // A new request starts: its reads are counted afresh.
  void Reset() { small_reads_ = 0; }
  // Ends a pause in progress (its read then fails with operation_aborted).
  void Cancel() { pause_.cancel(); }

  template <typename MutableBuffers, typename Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::system::error_code, std::size_t)>(
        [this](auto done, const MutableBuffers& into) {
          if (small_reads_ < pacing_.small_reads_before_pause) {
            return ReadNow(into, std::move(done));
          }
          metrics_.ReadPaused();
          pause_.expires_after(NextPause());
          pause_.async_wait([this, into, done = std::move(done)](
                                boost::system::error_code ec) mutable {
            if (ec) return std::move(done)(ec, std::size_t{0});  // cancelled: the session closes
            ReadNow(into, std::move(done));
          });
        },
        handler, buffers);
  }

 private:
  template <typename MutableBuffers, typename Done>
  void ReadNow(const MutableBuffers& into, Done done) {
    socket_.async_read_some(
        into, [this, done = std::move(done)](boost::system::error_code ec, std::size_t n) mutable {
          small_reads_ = !ec && n < pacing_.small_read_bytes ? small_reads_ + 1 : 0;
          std::move(done)(ec, n);
        });
  }

  std::chrono::steady_clock::duration NextPause();

  boost::asio::ip::tcp::socket& socket_;
  boost::asio::steady_timer pause_;
  const TricklePacing pacing_;
  Metrics& metrics_;
  int small_reads_ = 0;
  std::uint64_t jitter_state_ = 0;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_TRICKLE_PACED_READER_H_

#include "webhook_test_support.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <utility>
#include <variant>

#include <boost/asio/io_context.hpp>

namespace uudai::testing {

gateway::OutboundPolicy Allowing(const std::vector<std::string>& allow) {
  auto parsed = gateway::OutboundPolicy::Parse(allow);
  if (const auto* error = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << *error;
    return {};
  }
  return std::get<gateway::OutboundPolicy>(std::move(parsed));
}

gateway::WebhookOutcome PostAndWait(gateway::WebhookClientOptions options,
                                    gateway::WebhookPost post) {
  boost::asio::io_context io;
  gateway::WebhookClient client(io.get_executor(), std::move(options));
  std::atomic<int> calls{0};
  std::atomic<bool> posting{true};
  std::promise<gateway::WebhookOutcome> outcome;
  std::thread::id done_thread;
  client.Post(std::move(post), [&](gateway::WebhookOutcome result) {
    EXPECT_FALSE(posting.load()) << "done was called inside Post";
    done_thread = std::this_thread::get_id();
    if (calls.fetch_add(1) == 0) outcome.set_value(std::move(result));
  });
  posting = false;
  // No work guard: run() returns once the post's last handler has run.
  std::thread runner([&io] { io.run(); });
  const std::thread::id runner_id = runner.get_id();
  auto future = outcome.get_future();
  if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    ADD_FAILURE() << "the post did not complete within 30 s";
    io.stop();
    runner.join();
    return {};
  }
  runner.join();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(done_thread, runner_id);
  return future.get();
}

}  // namespace uudai::testing

// Test support for WebhookClient: one post on an io_context of its own, waited for.
#ifndef UUDAI_TESTS_GATEWAY_WEBHOOK_WEBHOOK_TEST_SUPPORT_H_
#define UUDAI_TESTS_GATEWAY_WEBHOOK_WEBHOOK_TEST_SUPPORT_H_

#include <string>
#include <vector>

#include "webhook/outbound_policy.h"
#include "webhook/webhook_client.h"

namespace uudai::testing {

// The policy allowing `allow`; fails the test when it does not parse.
gateway::OutboundPolicy Allowing(const std::vector<std::string>& allow);

// Posts `post` with a client made from `options` on an io_context run by a thread of its own,
// and returns the outcome once the io_context has run out of work (so every handler of the
// post has run). Fails the test when `done` is not called exactly once, is called inside
// Post, or off the io_context's thread, or when nothing comes within 30 s.
gateway::WebhookOutcome PostAndWait(gateway::WebhookClientOptions options,
                                    gateway::WebhookPost post);

}  // namespace uudai::testing

#endif  // UUDAI_TESTS_GATEWAY_WEBHOOK_WEBHOOK_TEST_SUPPORT_H_

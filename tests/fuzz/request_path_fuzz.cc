// Fuzz target: the whole request path on raw bytes — HTTP/1.1 parsing with the server's own
// parser and limits (http_exchange.h, as HttpSession does), then Api::Handle on an embedded
// MemoryStore (no journal, no network) holding a small fixed campaign, then the response as
// HttpSession writes it. The input is one connection: up to kMaxRequests pipelined requests.
//
// Invariants:
// - every complete request gets exactly one response, synchronously (the embedded store never
//   defers), and a request cut short or malformed gets a 400/413/431 refusal or none at all;
// - the status is a valid HTTP status and never 5xx (nothing here can be unavailable);
// - every 4xx body is RFC 9457 problem JSON with a code; every JSON success body is strict JSON,
//   and so is every line of an NDJSON export (a streamed body, read to its end);
// - the response serializes to HTTP/1.1 bytes that parse back to the same status and body;
// - afterwards the store's counters equal its ledger and no limit is exceeded (ledger_check.h).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/none.hpp>

#include "api/api.h"
#include "fuzz_check.h"
#include "fuzz_support.h"
#include "http/http_exchange.h"
#include "json/checkout_json.h"
#include "ledger_check.h"
#include "ops/metrics.h"
#include "test_gateway.h"
#include "uudai/memory_store.h"

namespace uudai::fuzz {
namespace {

namespace http = boost::beast::http;
using gateway::HttpResponse;

constexpr int kMaxRequests = 16;
// The clock moves 1 ms per request, so that rate limits (a burst of 5 for the limited key) bite,
// and jumps past the reservation TTL (2 min here) after the 8th, so that reservations expire
// mid-input.
constexpr int kRequestsBeforeTimeJump = 8;
constexpr std::int64_t kTimeJumpMillis = 121'000;

const gateway::ServerOptions kServer;  // the server's defaults: 8 KiB headers, 1 MiB bodies

// The test gateway's keys (tests/gateway/test_gateway.h), one per role.
const gateway::KeyRing& Keys() {
  static const gateway::KeyRing keys = [] {
    auto parsed = gateway::KeyRing::Parse(uudai::testing::kTestKeysJson);
    FUZZ_CHECK(parsed.ok(), parsed.status().message());
    return std::move(parsed).value();
  }();
  return keys;
}

// Deterministic ids and codes (splitmix64), so that a crash reproduces.
class CountingRandom final : public RandomSource {
 public:
  void Fill(std::span<std::uint8_t> out) override {
    for (std::uint8_t& b : out) {
      std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      b = static_cast<std::uint8_t>(z ^ (z >> 31));
    }
  }

 private:
  std::uint64_t state_ = 0;
};

gateway::ApiOptions Options() {
  gateway::ApiOptions options;
  options.reservation_ttl_millis = 120'000;
  options.max_codes_per_request = 100;  // issuing a million is a throughput matter, not parsing
  options.openapi_yaml = "openapi: 3.1.0\n";
  return options;
}

// As the gateway configures its store: it renders POST /v1/redemptions' answers.
MemoryStoreOptions StoreOptions() {
  MemoryStoreOptions options;
  options.render_response = [zone = Options().zone](const Redemption& created) {
    return gateway::RedemptionJsonText(created, zone);
  };
  return options;
}

// One gateway's state, fresh for every input.
struct World {
  ManualClock clock{FuzzNow()};
  MemoryStore store{clock, StoreOptions()};
  Catalog catalog;
  CountingRandom random;
  gateway::Metrics metrics;
  gateway::Api api{store, catalog, Keys(), clock, random, metrics, Options()};

  World() {
    store.SetOfferObserver([this](const auto& changes) { catalog.Apply(changes); });
    for (Offer offer : FixedOffers()) {
      store.CreateOffer(std::move(offer), [](Result<Offer> r) { FUZZ_CHECK(r.ok()); });
    }
    store.IssueCodes(kUniqueOfferId, IssuedUniqueCodes(),
                     [](Result<IssuedCodes> r) { FUZZ_CHECK(r.ok() && r->issued == 3); });
    catalog.Reset(store.ListOffers());
  }
};

// Reads a streamed body (an export) to its end, as HttpSession does chunk by chunk. With the
// embedded store every piece comes synchronously and no read fails.
std::string DrainStream(gateway::BodyStream& stream) {
  std::string body;
  for (int pieces = 0;; ++pieces) {
    FUZZ_CHECK(pieces < 100'000, "a body stream that never ends");
    bool answered = false;
    std::optional<std::string> piece;
    stream.Next([&answered, &piece](std::optional<std::string> chunk) {
      FUZZ_CHECK(!answered, "a BodyStream answered twice");
      answered = true;
      piece = std::move(chunk);
    });
    FUZZ_CHECK(answered && piece.has_value(), "a body stream failed or did not answer");
    if (piece->empty()) return body;
    body += *piece;
  }
}

// Every line of an NDJSON body is a strict JSON object.
void CheckNdjson(std::string_view body) {
  while (!body.empty()) {
    const std::size_t end = body.find('\n');
    FUZZ_CHECK(end != std::string_view::npos, "NDJSON without a final newline");
    RequireJsonObject(body.substr(0, end));
    body.remove_prefix(end + 1);
  }
}

// The response as HttpSession would write it: valid bytes that parse back to the same thing.
void CheckResponse(const HttpResponse& response, unsigned version, bool head, bool keep_alive) {
  const int status = response.status;
  FUZZ_CHECK(status >= 200 && status <= 599, std::to_string(status));
  FUZZ_CHECK(status < 500, std::to_string(status) + " " + response.body);
  if (status >= 400) {
    FUZZ_CHECK(response.content_type == "application/problem+json", response.content_type);
    RequireProblemJson(response.body, status);
  } else if (response.content_type == "application/json") {
    RequireJsonObject(response.body);
  } else if (response.content_type == "application/x-ndjson") {
    CheckNdjson(response.body);
  }
  std::ostringstream bytes;
  bytes << gateway::ToBeastResponse(response, version, head, keep_alive);
  const std::string wire = bytes.str();
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  parser.eager(true);  // header and body in one put()
  parser.skip(head);   // a HEAD response announces a body it does not send
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(wire), ec);
  if (ec == http::error::need_more) parser.put_eof(ec);
  FUZZ_CHECK(!ec && parser.is_done(), ec.message() + " in " + wire.substr(0, 300));
  FUZZ_CHECK(parser.get().result_int() == static_cast<unsigned>(status), wire.substr(0, 300));
  FUZZ_CHECK(head || parser.get().body() == response.body, wire.substr(0, 300));
}

// UUDAI_FUZZ_TRACE=1 prints each request line and its answer (for writing seeds, debugging).
void Trace(const std::string& request_line, const HttpResponse& response) {
  static const bool enabled = std::getenv("UUDAI_FUZZ_TRACE") != nullptr;
  if (!enabled) return;
  std::fprintf(stderr, "%s -> %d %s\n", request_line.c_str(), response.status,
               response.body.substr(0, 400).c_str());
}

// A request refused before the handler (the session answers it, then closes).
void CheckRefusal(boost::beast::error_code ec) {
  const auto refusal = gateway::FramingRefusal(ec, kServer, kServer.body_limit);
  if (!refusal) return;  // nobody to answer
  Trace("(refused: " + ec.message() + ")", *refusal);
  FUZZ_CHECK(refusal->status == 400 || refusal->status == 413 || refusal->status == 431,
             std::to_string(refusal->status));
  CheckResponse(*refusal, 11, false, false);
}

// Reads request number `index` from data[offset..]; answers it. Returns false when the
// connection ends.
bool ServeOne(World& world, int index, const std::uint8_t* data, std::size_t size,
              std::size_t& offset) {
  gateway::RequestParser parser;
  gateway::LimitParser(parser, kServer);
  boost::beast::error_code ec;
  bool framing_checked = false;
  while (!parser.is_done()) {
    std::size_t used = 0;
    if (offset < size) {
      used = parser.put(boost::asio::buffer(data + offset, size - offset), ec);
      offset += used;
      if (ec == http::error::need_more) ec = {};
      if (ec) {
        CheckRefusal(ec);
        return false;
      }
    }
    // Once the header is in, as HttpSession does before reading the body.
    if (parser.is_header_done() && !framing_checked) {
      framing_checked = true;
      if (const auto refusal = gateway::AmbiguousFramingRefusal(parser)) {
        Trace("(refused: ambiguous framing)", *refusal);
        FUZZ_CHECK(refusal->status == 400, std::to_string(refusal->status));
        CheckResponse(*refusal, 11, false, false);
        return false;
      }
      if (const auto refusal = gateway::LimitBody(parser, kServer)) {
        Trace("(refused: body over its limit)", *refusal);
        FUZZ_CHECK(refusal->status == 413, std::to_string(refusal->status));
        CheckResponse(*refusal, 11, false, false);
        return false;
      }
    }
    if (used == 0 && !parser.is_done()) {
      // No progress: the client sent all it will. The server sees EOF (as Beast's read does).
      if (!parser.got_some()) return false;
      parser.put_eof(ec);
      if (ec) CheckRefusal(ec);
      return false;
    }
  }
  gateway::BeastRequest message = parser.release();
  const bool head = message.method() == http::verb::head;
  const bool keep_alive = message.keep_alive();
  const unsigned version = message.version();
  auto request = gateway::ToHttpRequest(message);
  if (!request) {  // the session answers 400 and closes
    const HttpResponse refusal = gateway::FramingProblem(400, "bad_request", "bad target");
    Trace("(refused: bad target)", refusal);
    CheckResponse(refusal, version, head, false);
    return false;
  }
  int responses = 0;
  HttpResponse response;
  world.api.Handle(*request, [&responses, &response](HttpResponse r) {
    ++responses;
    response = std::move(r);
  });
  FUZZ_CHECK(responses == 1,
             std::to_string(responses) + " responses to " + request->method + " " + request->path);
  if (response.stream) {  // HttpSession sends it chunked; here it is checked as a whole
    response.body = DrainStream(*response.stream);
    response.stream.reset();
  }
  Trace(request->method + " " + request->path, response);
  CheckResponse(response, version, head, keep_alive);
  world.clock.Advance(index + 1 == kRequestsBeforeTimeJump ? kTimeJumpMillis : 1);
  world.store.ExpireDue(100, [](Result<std::size_t> r) { FUZZ_CHECK(r.ok()); });
  return keep_alive;
}

}  // namespace
}  // namespace uudai::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace uudai::fuzz;
  World world;
  std::size_t offset = 0;
  for (int n = 0; n < kMaxRequests && offset < size; ++n) {
    if (!ServeOne(world, n, data, size, offset)) break;
  }
  RequireLedgerMatchesCounters(world.store, uudai::CampaignZone());
  return 0;
}

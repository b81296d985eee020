#include "api/webhook_handlers.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "api/new_id.h"
#include "api/offer_access.h"
#include "api/query_numbers.h"
#include "api/responses.h"
#include "json/request_body.h"
#include "json/webhook_json.h"

namespace uudai::gateway {

namespace json = boost::json;

WebhookHandlers::WebhookHandlers(Store& store, const Clock& clock, RandomSource& random,
                                 CampaignZone zone, OutboundPolicy policy)
    : store_(store), clock_(clock), random_(random), zone_(zone), policy_(std::move(policy)) {}

void WebhookHandlers::Create(const HttpRequest& request, const Caller& caller, Respond& respond) {
  auto parsed = ParseJsonObject(request);
  if (auto* problem = std::get_if<Problem>(&parsed)) return respond(ProblemResponse(*problem));
  BodyProblems problems;
  auto registration = WebhookRegistrationFromJson(std::get<JsonBody>(parsed).object, problems);
  if (!registration) return respond(ProblemResponse(ProblemFor(std::move(problems))));
  if (auto refused = policy_.CheckUrl(registration->url)) {
    return respond(ProblemResponse(InvalidFields({{"url", *refused}})));
  }
  if (caller.is_merchant()) {
    if (registration->merchant_id && registration->merchant_id != caller.key->merchant_id) {
      return respond(ProblemResponse(
          Forbidden("a merchant key registers webhooks only for its own shop's events")));
    }
    registration->merchant_id = caller.key->merchant_id;
  }
  Webhook webhook;
  webhook.id = NewId(random_, "wh");
  webhook.merchant_id = std::move(registration->merchant_id);
  webhook.url = std::move(registration->url);
  webhook.events = std::move(registration->events);
  // 160 random bits when the caller brings no secret of its own.
  webhook.secret =
      registration->secret.value_or(NewId(random_, "whsec") + NewId(random_, "s").substr(2));
  webhook.created_at = clock_.Now();
  webhook.created_by = AuthorOf(caller);
  store_.CreateWebhook(std::move(webhook), [respond, zone = zone_](Result<Webhook> created) {
    if (!created.ok()) return respond(StatusResponse(created.status()));
    json::object body = WebhookToJson(created.value(), zone);
    body["secret"] = created->secret;  // shown this once
    respond(JsonResponse(201, json::serialize(body)));
  });
}

void WebhookHandlers::List(const HttpRequest&, const Caller& caller, Respond& respond) {
  std::optional<std::string> merchant;
  if (caller.is_merchant()) merchant = caller.key->merchant_id;
  store_.ListWebhooks(merchant, [respond, zone = zone_](Result<std::vector<Webhook>> listed) {
    if (!listed.ok()) return respond(StatusResponse(listed.status()));
    json::array items;
    for (const Webhook& webhook : listed.value()) items.push_back(WebhookToJson(webhook, zone));
    respond(JsonResponse(200, json::serialize(json::object{{"items", std::move(items)}})));
  });
}

void WebhookHandlers::WithWebhook(const std::string& id, const Caller& caller,
                                  const Respond& respond, std::function<void(Webhook)> then) {
  std::optional<std::string> merchant;
  if (caller.is_merchant()) merchant = caller.key->merchant_id;
  store_.ListWebhooks(
      merchant, [id, respond, then = std::move(then)](Result<std::vector<Webhook>> listed) {
        if (!listed.ok()) return respond(StatusResponse(listed.status()));
        for (Webhook& webhook : listed.value()) {
          if (webhook.id == id) return then(std::move(webhook));
        }
        // Another shop's webhook is not found either: its id tells a merchant nothing.
        respond(ProblemResponse(NotFoundProblem("webhook " + id + " does not exist")));
      });
}

void WebhookHandlers::Delete(const HttpRequest&, const Caller& caller, Respond& respond) {
  WithWebhook(caller.params[0], caller, respond, [this, respond](Webhook webhook) {
    store_.DeleteWebhook(webhook.id, [respond](Result<Webhook> deleted) {
      if (!deleted.ok()) return respond(StatusResponse(deleted.status()));
      HttpResponse response;
      response.status = 204;
      respond(std::move(response));
    });
  });
}

void WebhookHandlers::Deliveries(const HttpRequest& request, const Caller& caller,
                                 Respond& respond) {
  std::size_t limit = 100;
  if (auto text = request.Query("limit")) {
    limit = ParseQueryCount(*text, 4).value_or(0);
    if (limit < 1 || limit > kDeliveryLogLength) {
      return respond(ProblemResponse(InvalidFields({{"limit", "must be from 1 to 1000"}})));
    }
  }
  WithWebhook(caller.params[0], caller, respond, [this, limit, respond](Webhook webhook) {
    store_.ReadWebhookDeliveries(
        webhook.id, limit, [respond, zone = zone_](Result<std::vector<DeliveryAttempt>> log) {
          if (!log.ok()) return respond(StatusResponse(log.status()));
          json::array items;
          for (const DeliveryAttempt& a : log.value())
            items.push_back(DeliveryAttemptToJson(a, zone));
          respond(JsonResponse(200, json::serialize(json::object{{"items", std::move(items)}})));
        });
  });
}

void WebhookHandlers::Redeliver(const HttpRequest& request, const Caller& caller,
                                Respond& respond) {
  auto parsed = ParseJsonObject(request);
  if (auto* problem = std::get_if<Problem>(&parsed)) return respond(ProblemResponse(*problem));
  BodyProblems problems;
  FieldReader reader(std::get<JsonBody>(parsed).object, "", problems);
  const auto after = reader.Integer("after_seq", 0, std::numeric_limits<std::int64_t>::max(), true);
  reader.Finish();
  if (!problems.empty()) return respond(ProblemResponse(ProblemFor(std::move(problems))));
  const auto after_seq = static_cast<std::uint64_t>(*after);
  WithWebhook(caller.params[0], caller, respond, [this, after_seq, respond](Webhook webhook) {
    // Past the last event, a rewind would silence the webhook until the events caught up.
    store_.ReadEvents(EventQuery{0, 1, std::nullopt}, [this, after_seq, id = webhook.id,
                                                       respond](Result<EventPage> page) {
      if (!page.ok()) return respond(StatusResponse(page.status()));
      if (after_seq > page->last_seq) {
        return respond(
            ProblemResponse(InvalidFields({{"after_seq", "must not be past the last event's seq, " +
                                                             std::to_string(page->last_seq)}})));
      }
      store_.RewindWebhook(id, after_seq, [respond, zone = zone_](Result<Webhook> w) {
        if (!w.ok()) return respond(StatusResponse(w.status()));
        respond(JsonResponse(200, json::serialize(WebhookToJson(w.value(), zone))));
      });
    });
  });
}

}  // namespace uudai::gateway

#!/usr/bin/env python3
"""Reconciles a uudai's ledger with its counters and its offers' limits (bench/run-soak.sh).

Reads, with an analyst (or admin) key and nothing else running against the server:
  - every offer (GET /v1/offers, all pages) and its limits;
  - the ledger (GET /v1/redemptions/export?format=ndjson, one redemption per line);
  - GET /v1/stats/offers/{id} for every offer and GET /v1/stats/campaign (totals).
Checks that
  - every offer's counters equal the ledger: redemptions by status, discount_committed,
    gmv_committed, unique_shoppers, remaining.redemptions and remaining.budget;
  - the campaign totals equal the ledger (by status, discount, GMV, unique shoppers);
  - no limit is exceeded: live redemptions (reserved, committed, and refunded when the offer
    does not restore on refund) per offer <= total_redemptions, their discounts <=
    total_budget, per shopper <= per_shopper, per local day <= per_day (the offers' current
    limits: lowering one below its usage with PATCH shows as a FAIL; the soak edits none);
  - each redemption's discount_total is the sum of its applied discounts;
  - no reservation is left once the TTL has passed (--expect-no-reserved);
  - the ledger holds every acknowledged creation (--acknowledged FILE: the ids the load was
    answered 201 for, one per line), and at most --unacknowledged-max others (requests whose
    answer was lost: wrk's socket errors, and the requests in flight when a wrk run stopped).
Prints the figures and PASS or FAIL (exit status 1). Python standard library only.
"""
import argparse
import collections
import json
import sys
import urllib.parse
import urllib.request

STATUSES = ("reserved", "committed", "released", "expired", "refunded")


class Client:
    def __init__(self, url, key):
        self.url = url.rstrip("/")
        self.key = key

    def get(self, path):
        request = urllib.request.Request(self.url + path,
                                         headers={"Authorization": "Bearer " + self.key})
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.read()

    def json(self, path):
        return json.loads(self.get(path))


def read_offers(client):
    offers, cursor = [], None
    while True:
        path = "/v1/offers?limit=1000"
        if cursor:
            path += "&cursor=" + urllib.parse.quote(cursor)
        page = client.json(path)
        offers.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return offers


def read_ledger(client):
    body = client.get("/v1/redemptions/export?format=ndjson")
    return [json.loads(line) for line in body.decode("utf-8").splitlines() if line.strip()]


class OfferTally:
    """What the ledger says about one offer."""

    def __init__(self):
        self.by_status = collections.Counter()
        self.discount_committed = 0
        self.gmv_committed = 0
        self.shoppers = set()  # with a committed (or later refunded) redemption
        self.live = 0
        self.live_budget = 0
        self.live_per_shopper = collections.Counter()
        self.live_per_day = collections.Counter()


def is_live(status, restore_on_refund):
    return status in ("reserved", "committed") or (status == "refunded" and not restore_on_refund)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True, help="analyst or admin key")
    parser.add_argument("--acknowledged", help="file of the redemption ids answered 201")
    parser.add_argument("--unacknowledged-max", type=int, default=0)
    parser.add_argument("--expect-no-reserved", action="store_true")
    args = parser.parse_args()
    client = Client(args.url, args.key)

    offers = {o["id"]: o for o in read_offers(client)}
    ledger = read_ledger(client)
    failures = []

    def fail(message):
        failures.append(message)

    tallies = collections.defaultdict(OfferTally)
    totals = collections.Counter()
    discount_committed = gmv_committed = 0
    shoppers = set()
    ids = set()
    for r in ledger:
        status = r["status"]
        if r["id"] in ids:
            fail(f"redemption {r['id']} appears twice in the export")
        ids.add(r["id"])
        totals[status] += 1
        if status == "committed":
            discount_committed += r["discount_total"]
            gmv_committed += r["subtotal"]
        if status in ("committed", "refunded"):
            shoppers.add(r["shopper_id"])
        applied_sum = sum(a["discount"] for a in r["applied"])
        if applied_sum != r["discount_total"]:
            fail(f"redemption {r['id']}: discount_total {r['discount_total']} != "
                 f"sum of applied {applied_sum}")
        day = r["created_at"][:10]  # local day: created_at carries the campaign offset
        for a in r["applied"]:
            offer = offers.get(a["offer_id"])
            if offer is None:
                fail(f"redemption {r['id']} applies unknown offer {a['offer_id']}")
                continue
            t = tallies[a["offer_id"]]
            t.by_status[status] += 1
            if status == "committed":
                t.discount_committed += a["discount"]
                t.gmv_committed += r["subtotal"]
            if status in ("committed", "refunded"):
                t.shoppers.add(r["shopper_id"])
            if is_live(status, offer.get("restore_on_refund", True)):
                t.live += 1
                t.live_budget += a["discount"]
                t.live_per_shopper[r["shopper_id"]] += 1
                t.live_per_day[day] += 1

    limited = at_limit = 0
    for offer_id, offer in sorted(offers.items()):
        t = tallies[offer_id]
        stats = client.json("/v1/stats/offers/" + urllib.parse.quote(offer_id))
        for status in STATUSES:
            if stats["redemptions"].get(status, 0) != t.by_status[status]:
                fail(f"offer {offer_id}: {status} {stats['redemptions'].get(status)} in stats, "
                     f"{t.by_status[status]} in the ledger")
        for field, expected in (("discount_committed", t.discount_committed),
                                ("gmv_committed", t.gmv_committed),
                                ("unique_shoppers", len(t.shoppers))):
            if stats[field] != expected:
                fail(f"offer {offer_id}: {field} {stats[field]} in stats, {expected} in the ledger")
        limits = offer.get("limits") or {}
        total, budget = limits.get("total_redemptions"), limits.get("total_budget")
        per_shopper, per_day = limits.get("per_shopper"), limits.get("per_day")
        if any(v is not None for v in (total, budget, per_shopper, per_day)):
            limited += 1
        expected_remaining = {
            "redemptions": None if total is None else max(0, total - t.live),
            "budget": None if budget is None else max(0, budget - t.live_budget),
        }
        if stats["remaining"] != expected_remaining:
            fail(f"offer {offer_id}: remaining {stats['remaining']} in stats, "
                 f"{expected_remaining} from the ledger")
        reached = False
        if total is not None:
            reached |= t.live >= total
            if t.live > total:
                fail(f"offer {offer_id}: {t.live} live redemptions over total_redemptions {total}")
        if budget is not None:
            reached |= t.live_budget > budget * 0.95
            if t.live_budget > budget:
                fail(f"offer {offer_id}: {t.live_budget} of budget spent over total_budget {budget}")
        if per_shopper is not None and t.live_per_shopper:
            shopper, most = t.live_per_shopper.most_common(1)[0]
            reached |= most >= per_shopper
            if most > per_shopper:
                fail(f"offer {offer_id}: shopper {shopper} holds {most} over per_shopper {per_shopper}")
        if per_day is not None and t.live_per_day:
            day, most = t.live_per_day.most_common(1)[0]
            reached |= most >= per_day
            if most > per_day:
                fail(f"offer {offer_id}: day {day} holds {most} over per_day {per_day}")
        at_limit += reached

    campaign = client.json("/v1/stats/campaign")["totals"]
    for status in STATUSES:
        if campaign["redemptions"].get(status, 0) != totals[status]:
            fail(f"campaign: {status} {campaign['redemptions'].get(status)} in stats, "
                 f"{totals[status]} in the ledger")
    for field, expected in (("discount_committed", discount_committed),
                            ("gmv_committed", gmv_committed),
                            ("unique_shoppers", len(shoppers))):
        if campaign[field] != expected:
            fail(f"campaign: {field} {campaign[field]} in stats, {expected} in the ledger")

    if args.expect_no_reserved and totals["reserved"]:
        fail(f"{totals['reserved']} reservations still reserved after their TTL")
    acknowledged = None
    if args.acknowledged is not None:
        with open(args.acknowledged) as f:
            acknowledged = {line.strip() for line in f if line.strip()}
        missing = acknowledged - ids
        for redemption_id in sorted(missing)[:5]:
            fail(f"redemption {redemption_id} was answered 201 but is not in the ledger")
        if len(missing) > 5:
            fail(f"... {len(missing) - 5} more acknowledged redemptions missing from the ledger")
        unacknowledged = len(ids - acknowledged)
        if unacknowledged > args.unacknowledged_max:
            fail(f"the ledger holds {unacknowledged} redemptions the load was never answered for "
                 f"(at most {args.unacknowledged_max} requests went unanswered)")

    print(f"ledger: {len(ledger)} redemptions (" +
          ", ".join(f"{s} {totals[s]}" for s in STATUSES) + ")" +
          ("" if acknowledged is None else
           f"; answered 201: {len(acknowledged)}, all in the ledger: "
           f"{'yes' if acknowledged <= ids else 'NO'}; in the ledger but never answered: "
           f"{len(ids - acknowledged)} (at most {args.unacknowledged_max} requests unanswered)"))
    print(f"offers: {len(offers)} checked against their stats, {limited} with limits, "
          f"{at_limit} of them at (or within 5 % of) a limit at the end")
    for message in failures[:20]:
        print("  FAIL " + message)
    if len(failures) > 20:
        print(f"  ... and {len(failures) - 20} more")
    print("reconciliation: " + ("PASS" if not failures else f"FAIL ({len(failures)} problems)"))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The catalog at scale, measured through the API (bench/run-catalog-bench.sh runs it).

Subcommands (each prints one line of `name=value` figures on stdout):
  register URL  --offers N [--first K] [--batch B] [--shops S] [--ndjson]
      registers N offers (ids chosen by uudai) through POST /v1/offers/batch in batches of B,
      one batch after the other; offer n (counting from K) belongs to shop n % S, ten a shop
      by default. Figures: seconds in all, offers a second, the slowest batch.
  writes URL --count N
      offer writes one after the other on one keep-alive connection, in turn a create
      (POST /v1/offers), a patch of its minimum spend, a pause and an archive (PATCH), each
      answered before the next is sent → p50, p99, max in ms over the N writes.
  paced-writes URL --rate R --seconds D
      the same writes at R a second for D seconds (the load beside a quote run).
  propagation URL_A URL_B --offers N [--batch B] [--shops S]
      registers N offers on gateway A in batches while, every 100 ms, one offer with a public
      code of its own is created on A; after each 201 from A, quotes on gateway B with that
      offer's code (for a batch, its last offer's) until B applies it → the lag of each, from
      A's answer to B's first quote that applies it: p50, max, for batch and single offers.
Keys: ADMIN_KEY (writes) and CHECKOUT_KEY (quotes) from the environment.
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

STARTS = "2026-01-01T00:00:00+07:00"
ENDS = "2036-01-01T00:00:00+07:00"
CATEGORIES = ["electronics", "fashion", "grocery", "beauty", "home"]


class Client:
    """One keep-alive connection; request() returns (status, parsed JSON body or None)."""

    def __init__(self, url, key):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.key = key
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)

    def request(self, method, path, body=None, content_type="application/json"):
        headers = {"Authorization": "Bearer " + self.key}
        if body is not None:
            headers["Content-Type"] = content_type
            if isinstance(body, str):
                body = body.encode()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return response.status, parsed


def offer(n, shops, code=None):
    """Offer n of the synthetic campaign: ten a shop, percent or fixed, some filtered."""
    if n % 2 == 0:
        discount = {"type": "percent", "value": 5 + n % 20, "max_amount": 50000 + 10000 * (n % 5)}
    else:
        discount = {"type": "fixed", "value": 10000 + 5000 * (n % 6)}
    o = {"merchant_id": "shop-%d" % (n % shops), "name": "Catalog bench offer %d" % n,
         "discount": discount, "min_order_amount": 50000 * (n % 6), "starts_at": STARTS,
         "ends_at": ENDS, "priority": n % 3}
    if code is not None:
        # A lag probe: alone in a shop of its own and for any cart, so that a quote with its
        # code applies it as soon as the gateway knows it (no better offer of its layer).
        o["merchant_id"] = "lag-" + code.lower()
        o["code_mode"] = "public"
        o["code"] = code
    elif n % 3 == 0:
        o["categories"] = [CATEGORIES[n % len(CATEGORIES)]]
    return o


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def post_batch(client, offers, ndjson):
    if ndjson:
        body = "".join(json.dumps(o, separators=(",", ":")) + "\n" for o in offers)
        status, parsed = client.request("POST", "/v1/offers/batch", body, "application/x-ndjson")
    else:
        status, parsed = client.request("POST", "/v1/offers/batch",
                                        json.dumps(offers, separators=(",", ":")))
    if status != 201:
        sys.exit("batch refused: %d %s" % (status, json.dumps(parsed)[:500]))
    return parsed["items"]


def register(args):
    client = Client(args.url, os.environ["ADMIN_KEY"])
    shops = args.shops or max(1, (args.first + args.offers) // 10)
    slowest, total = 0.0, 0.0
    for start in range(args.first, args.first + args.offers, args.batch):
        end = min(args.first + args.offers, start + args.batch)
        offers = [offer(n, shops) for n in range(start, end)]  # made before the clock starts
        began = time.monotonic()
        post_batch(client, offers, args.ndjson)
        took = time.monotonic() - began
        total += took
        slowest = max(slowest, took)
    print("offers=%d seconds=%.2f per_second=%.0f slowest_batch_s=%.3f batch=%d shops=%d" %
          (args.offers, total, args.offers / total, slowest, args.batch, shops))


def write_cycle(client, n, shops):
    """Create, patch, pause, archive: four writes; yields each one's latency in ms."""
    began = time.monotonic()
    status, created = client.request("POST", "/v1/offers", json.dumps(offer(n, shops)))
    yield status, (time.monotonic() - began) * 1000
    path = "/v1/offers/" + created["id"]
    for patch in ({"min_order_amount": 60000}, {"status": "paused"},
                  {"status": "archived"}):
        began = time.monotonic()
        status, _ = client.request("PATCH", path, json.dumps(patch))
        yield status, (time.monotonic() - began) * 1000


def writes(args):
    client = Client(args.url, os.environ["ADMIN_KEY"])
    latencies = []
    n = 0
    while len(latencies) < args.count:
        for status, millis in write_cycle(client, 10_000_000 + n, 1000):
            if status not in (200, 201):
                sys.exit("offer write failed: %d" % status)
            latencies.append(millis)
        n += 1
    print("writes=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f" %
          (len(latencies), percentile(latencies, 50), percentile(latencies, 99), max(latencies)))


def paced_writes(args):
    client = Client(args.url, os.environ["ADMIN_KEY"])
    interval = 1.0 / args.rate
    deadline = time.monotonic() + args.seconds
    next_at = time.monotonic()
    done, n = 0, 0
    while time.monotonic() < deadline:
        for status, _ in write_cycle(client, 20_000_000 + n, 1000):
            if status not in (200, 201):
                sys.exit("offer write failed: %d" % status)
            done += 1
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))
        n += 1
    print("paced_writes=%d seconds=%d rate=%.1f" % (done, args.seconds, done / args.seconds))


def wait_until_quoted(client, code, merchant, deadline_s=10.0):
    """Quotes `code` at `merchant` on `client` until it applies; seconds waited, or None."""
    cart = {"shopper_id": "s-lag", "merchant_id": merchant, "payment_method": "momo",
            "shipping_fee": 0, "codes": [code],
            "items": [{"sku": "sku-1", "category": "home", "unit_price": 1_000_000, "quantity": 1}]}
    body = json.dumps(cart)
    began = time.monotonic()
    while time.monotonic() - began < deadline_s:
        status, quote = client.request("POST", "/v1/checkout/quote", body)
        if status == 200 and any(a.get("code") == code for a in quote.get("applied", [])):
            return time.monotonic() - began
        time.sleep(0.002)
    return None


def propagation(args):
    shops = args.shops or max(1, args.offers // 10)
    writer = Client(args.url_a, os.environ["ADMIN_KEY"])
    batch_lags, single_lags, failures = [], [], []
    stop = threading.Event()

    def singles():
        single_writer = Client(args.url_a, os.environ["ADMIN_KEY"])
        reader = Client(args.url_b, os.environ["CHECKOUT_KEY"])
        n = 0
        while not stop.is_set():
            code = "LAG%d%d" % (os.getpid(), n)
            merchant_n = 30_000_000 + n
            status, created = single_writer.request(
                "POST", "/v1/offers", json.dumps(offer(merchant_n, shops, code)))
            if status != 201:
                failures.append("single create %d" % status)
                return
            lag = wait_until_quoted(reader, code, created["merchant_id"])
            (single_lags if lag is not None else failures).append(lag if lag is not None
                                                                  else "single " + code)
            n += 1
            time.sleep(0.1)

    # A daemon: should a batch be refused (post_batch exits), the process ends instead of
    # waiting for it.
    thread = threading.Thread(target=singles, daemon=True)
    thread.start()
    reader = Client(args.url_b, os.environ["CHECKOUT_KEY"])
    total = 0.0
    for start in range(0, args.offers, args.batch):
        end = min(args.offers, start + args.batch)
        code = "BATCH%d%d" % (os.getpid(), start)
        offers = [offer(n, shops) for n in range(start, end - 1)] + [offer(end - 1, shops, code)]
        began = time.monotonic()
        items = post_batch(writer, offers, True)
        total += time.monotonic() - began
        lag = wait_until_quoted(reader, code, items[-1]["merchant_id"])
        (batch_lags if lag is not None else failures).append(lag if lag is not None
                                                            else "batch " + code)
    stop.set()
    thread.join()
    if failures:
        sys.exit("not quoted on the other gateway within 10 s: %s" % failures[:5])
    print("offers=%d register_seconds=%.2f batches=%d batch_lag_p50_ms=%.1f batch_lag_max_ms=%.1f "
          "singles=%d single_lag_p50_ms=%.1f single_lag_max_ms=%.1f" %
          (args.offers, total, len(batch_lags), percentile(batch_lags, 50) * 1000,
           max(batch_lags) * 1000, len(single_lags), percentile(single_lags, 50) * 1000,
           max(single_lags) * 1000))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("register")
    p.add_argument("url")
    p.add_argument("--offers", type=int, required=True)
    p.add_argument("--first", type=int, default=0)
    p.add_argument("--batch", type=int, default=10_000)
    p.add_argument("--shops", type=int, default=0)
    p.add_argument("--ndjson", action="store_true")
    p.set_defaults(run=register)
    p = sub.add_parser("writes")
    p.add_argument("url")
    p.add_argument("--count", type=int, default=2000)
    p.set_defaults(run=writes)
    p = sub.add_parser("paced-writes")
    p.add_argument("url")
    p.add_argument("--rate", type=float, default=100)
    p.add_argument("--seconds", type=int, default=10)
    p.set_defaults(run=paced_writes)
    p = sub.add_parser("propagation")
    p.add_argument("url_a")
    p.add_argument("url_b")
    p.add_argument("--offers", type=int, required=True)
    p.add_argument("--batch", type=int, default=10_000)
    p.add_argument("--shops", type=int, default=0)
    p.set_defaults(run=propagation)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Checks every answer of a real `uudai serve` against gateway/openapi.yaml.

Starts the `uudai serve` binary on a free loopback port (embedded store in a temporary
--data-dir, a temporary keys file with one key per role), runs SCRIPT below — a realistic use
of the API, one request per step — and checks each response against the OpenAPI description
with an independent JSON Schema validator (python3-jsonschema, Draft 2020-12, OpenAPI 3.1's
dialect):
  - the operation is found by method and path template (a method the path lacks must be a
    405 documented by the path's operations; a path no template matches, a 404 as
    #/components/responses/NotFound);
  - the status is documented (exactly, or by an `NXX` range or `default`);
  - the Content-Type is one of the documented media types;
  - a JSON body (application/json, application/*+json) validates against the documented
    schema, `$ref`s resolved over the whole document; an NDJSON body line by line;
  - every header the response documents with `required: true` is present, every documented
    header present matches its schema, and no header the description documents elsewhere
    (X-Request-Id, Retry-After, Cache-Control, ...) is sent where this response does not
    document it.
It also checks that every `example` of a response validates against its schema, that the served
/openapi.yaml is the file checked against, and that every documented operation answered at
least once with a 2xx. Each step also states the status (and problem `code`) it expects, so the
script fails when the server answers something else.

Prints one line per exchange, every mismatch (operation, status, JSON pointer into the body,
the validator's message), and last `N passed, M failed`. Exit status 0 when nothing failed, 1
otherwise, 77 when python3-jsonschema or python3-yaml is missing (CTest reports a skip).

Adding an answer to the API: add a Step (or several) to SCRIPT, in the place where its
preconditions hold, and describe the answer in gateway/openapi.yaml.

Usage: openapi_contract.py --uudai PATH/TO/uudai --openapi gateway/openapi.yaml
"""
import argparse
import collections
import concurrent.futures
import dataclasses
import datetime
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Optional

try:
    import jsonschema
    import yaml
except ImportError as missing:
    print(f"SKIP: {missing.name} is missing (Debian: apt-get install python3-jsonschema "
          "python3-yaml; run with /usr/bin/python3)")
    sys.exit(77)

# ---- the keys the server is started with ------------------------------------------------------

KEYS = {
    "admin": {"key": "contract-admin-key-0001", "role": "admin"},
    "merchant": {"key": "contract-merchant-dienmay-0001", "role": "merchant",
                 "merchant_id": "shop-dienmay"},
    "merchant_bachhoa": {"key": "contract-merchant-bachhoa-0001", "role": "merchant",
                         "merchant_id": "shop-bachhoa"},
    "checkout": {"key": "contract-checkout-key-0001", "role": "checkout"},
    "analyst": {"key": "contract-analyst-key-0001", "role": "analyst"},
    # One request per second, burst 1: its second request in a row is a 429.
    "limited": {"key": "contract-limited-key-0001", "role": "analyst", "rate_limit": 1},
}
UNKNOWN_KEY = "contract-unknown-key-0001"
BODY_LIMIT = 65536  # --body-limit, so that a 413 needs no large upload
DESCRIPTION_PATH = None  # --openapi

# ---- the script -------------------------------------------------------------------------------

NO_BODY = object()


@dataclasses.dataclass
class Step:
    """One request and what the script expects of it (the description checks the rest).

    `path`, `headers` and the strings inside `body` may name values saved by earlier steps as
    `{name}`; a string that is exactly `{name}` takes the saved value with its JSON type.
    """
    title: str
    method: str
    path: str
    key: Optional[str] = None  # a name in KEYS, "unknown" for an unknown key, None for none
    body: Any = NO_BODY  # sent as JSON (Content-Type: application/json unless given)
    raw: Optional[bytes] = None  # sent as is instead of `body`
    headers: Any = dataclasses.field(default_factory=dict)  # dict, or list of pairs
    expect: Any = 200  # the status, or a set of statuses
    code: Optional[str] = None  # the problem's `code`
    expect_headers: dict = dataclasses.field(default_factory=dict)
    save: dict = dataclasses.field(default_factory=dict)  # name -> JSON pointer into the body
    check: Optional[Callable[["Exchange"], list]] = None  # more expectations: a list of failures
    unrouted: bool = False  # the path is in no template: a 404 as components/responses/NotFound


@dataclasses.dataclass
class Burst:
    """Steps sent all at once, each checked like any step; `check` sees all the exchanges."""
    title: str
    steps: list
    check: Optional[Callable[[list], list]] = None


SINCE = "2020-01-01T00:00:00+07:00"
UNTIL = "2099-01-01T00:00:00+07:00"
TV = {"sku": "tv-55", "category": "electronics", "unit_price": 600000, "quantity": 2}
KETTLE = {"sku": "kettle-1", "category": "kitchen", "unit_price": 400000, "quantity": 1}


def cart(**fields):
    """A checkout cart at shop-dienmay paid with MoMo, with `fields` added or replaced."""
    body = {"shopper_id": "shopper-0001", "merchant_id": "shop-dienmay", "payment_method": "momo",
            "shipping_fee": 30000, "items": [TV]}
    body.update(fields)
    return body


def redemption(order_id, **fields):
    return cart(order_id=order_id, **fields)


def idem(key):
    return {"Idempotency-Key": key}


def rejected_reasons(*expected):
    """A check: the body's `rejected` reports exactly these (code, reason) pairs, in any order."""
    def check(exchange):
        got = sorted((r.get("code"), r.get("reason"))
                     for r in (exchange.json or {}).get("rejected", []))
        want = sorted((substitute(code, exchange.saved), reason) for code, reason in expected)
        return [] if got == want else [f"rejected is {got}, expected {want}"]
    return check


def applied_offers(*names):
    """A check: the body's `applied` are exactly these saved offers, in layer order."""
    def check(exchange):
        got = [a.get("offer_id") for a in (exchange.json or {}).get("applied", [])]
        want = [exchange.saved[n] for n in names]
        return [] if got == want else [f"applied offers are {got}, expected {want}"]
    return check


def cashback_of(name, amount):
    """A check: the saved offer `name` is applied as a cashback of `amount` (and no discount),
    reported in `cashback_total` and not taken off `total`."""
    def check(exchange):
        body = exchange.json or {}
        offer = exchange.saved[name]
        found = [a for a in body.get("applied", []) if a.get("offer_id") == offer]
        if len(found) != 1 or found[0].get("cashback") != amount or found[0].get("discount") != 0:
            return [f"applied is {body.get('applied')}, expected {offer} with cashback {amount}"]
        problems = []
        if body.get("cashback_total") != amount:
            problems.append(f"cashback_total is {body.get('cashback_total')}, expected {amount}")
        due = body.get("subtotal", 0) + body.get("shipping_fee", 0) - body.get("discount_total", 0)
        if body.get("total") != due:
            problems.append(f"total is {body.get('total')}, expected {due} (cashback not taken off)")
        return problems
    return check


def same_as_description(exchange):
    """A check: the served description is the file the answers are checked against."""
    with open(DESCRIPTION_PATH, "rb") as f:
        same = f.read() == exchange.body
    return [] if same else [f"the served document differs from {DESCRIPTION_PATH}: rebuild uudai"]


def fields_are(**expected):
    """A check: the body's top-level fields have these values (strings may name saved ones)."""
    def check(exchange):
        body = exchange.json if isinstance(exchange.json, dict) else {}
        return [f"{name} is {body.get(name)!r}, expected {want!r}"
                for name, want in substitute(expected, exchange.saved).items()
                if body.get(name) != want]
    return check


def secret_generated(exchange):
    """A check: a webhook registered without a secret got a generated one."""
    secret = (exchange.json or {}).get("secret", "")
    return [] if re.fullmatch(r"whsec_[0-9a-hjkmnp-tv-z]{32}", secret) else [
        f"secret {secret!r} is not a generated one"]


def item_ids(*names):
    """A check: the body's `items` are exactly the saved ids `names`, in order."""
    def check(exchange):
        got = [item.get("id") for item in (exchange.json or {}).get("items", [])]
        want = [exchange.saved[n] for n in names]
        return [] if got == want else [f"items are {got}, expected {want}"]
    return check


def attempts_at(*types):
    """A check: the body's delivery attempts are of these event types only, newest first."""
    def check(exchange):
        items = (exchange.json or {}).get("items", [])
        problems = [f"an attempt on a {a.get('event_type')} event" for a in items
                    if a.get("event_type") not in types]
        times = [datetime.datetime.fromisoformat(a["at"].upper().replace("Z", "+00:00"))
                 for a in items if isinstance(a.get("at"), str)]
        if times != sorted(times, reverse=True):
            problems.append("the attempts are not newest first")
        return problems
    return check


def exactly_one_applies(name):
    """A Burst check: one and only one exchange redeemed the saved offer `name`."""
    def check(exchanges):
        offer = exchanges[0].saved[name]
        winners = [e for e in exchanges if e.status == 201 and
                   offer in [a["offer_id"] for a in e.json.get("applied", [])]]
        return [] if len(winners) == 1 else [f"{len(winners)} redemptions applied {offer}, not 1"]
    return check


SCRIPT = [
    # -- operations: no key ----------------------------------------------------------------------
    Step("liveness", "GET", "/healthz"),
    Step("liveness, headers only", "HEAD", "/healthz"),
    Step("readiness", "GET", "/readyz"),
    Step("the description itself", "GET", "/openapi.yaml", check=same_as_description),
    Step("the dashboard page", "GET", "/dashboard"),
    Step("a dashboard stylesheet", "GET", "/dashboard/dashboard.css"),
    Step("a dashboard script", "GET", "/dashboard/format.js"),
    Step("a method the path lacks", "POST", "/healthz", body={}, expect=405,
         code="method_not_allowed", expect_headers={"Allow": "GET"}),
    Step("a path no route has", "GET", "/v1/nothing-here", key="admin", expect=404,
         code="not_found", unrouted=True),

    # -- keys and roles --------------------------------------------------------------------------
    Step("no key", "GET", "/v1/offers", expect=401, code="unauthorized",
         expect_headers={"WWW-Authenticate": "Bearer"}),
    Step("an unknown key", "GET", "/v1/offers", key="unknown", expect=401, code="unauthorized",
         expect_headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}),
    Step("an analyst may not quote", "POST", "/v1/checkout/quote", key="analyst", body=cart(),
         expect=403, code="forbidden"),

    # -- offers: one of every layer and code mode --------------------------------------------------
    Step("admin registers the platform code THANG10", "POST", "/v1/offers", key="admin", body={
        "merchant_id": "platform", "name": "Tháng tiêu dùng số: mã THANG10 giảm 10%",
        "layer": "platform", "discount": {"type": "percent", "value": 10, "max_amount": 100000},
        "min_order_amount": 200000, "payment_methods": ["digital"], "code_mode": "public",
        "code": "THANG10", "starts_at": SINCE, "ends_at": UNTIL,
        "limits": {"total_budget": 500000000, "per_shopper": 3}},
        expect=201, save={"thang10": "/id"}),
    Step("admin registers a MoMo payment offer", "POST", "/v1/offers", key="admin", body={
        "merchant_id": "platform", "name": "MoMo giảm 30.000 ₫", "layer": "payment",
        "discount": {"type": "fixed", "value": 30000}, "min_order_amount": 300000,
        "payment_methods": ["momo"], "funded_by": "payment_partner", "funder": "momo",
        "starts_at": SINCE, "ends_at": UNTIL, "priority": 2},
        expect=201, save={"momo30k": "/id"}),
    Step("admin registers free shipping at one shop", "POST", "/v1/offers", key="admin", body={
        "merchant_id": "platform", "name": "Miễn phí vận chuyển", "layer": "shipping",
        "discount": {"type": "free_shipping", "max_amount": 20000},
        "merchant_ids": ["shop-dienmay"], "starts_at": SINCE, "ends_at": UNTIL},
        expect=201, save={"freeship": "/id"}),
    Step("admin registers another shop's public code", "POST", "/v1/offers", key="admin", body={
        "merchant_id": "shop-bachhoa", "name": "Bách hoá giảm 10%",
        "discount": {"type": "percent", "value": 10}, "code_mode": "public", "code": "BACHHOA10",
        "starts_at": SINCE, "ends_at": UNTIL},
        expect=201, save={"bachhoa": "/id"}),
    Step("a merchant registers an automatic offer", "POST", "/v1/offers", key="merchant", body={
        "name": "Điện máy giảm 5%", "discount": {"type": "percent", "value": 5},
        "categories": ["electronics"], "starts_at": SINCE, "ends_at": UNTIL, "priority": 1},
        expect=201, save={"dm_auto": "/id"}),
    Step("a merchant registers a unique-code offer", "POST", "/v1/offers", key="merchant", body={
        "merchant_id": "shop-dienmay", "name": "Tivi giảm 100.000 ₫",
        "discount": {"type": "fixed", "value": 100000}, "min_order_amount": 1000000,
        "skus": ["tv-55"], "code_mode": "unique", "starts_at": SINCE, "ends_at": UNTIL,
        "limits": {"total_redemptions": 500, "per_shopper": 1}},
        expect=201, save={"dm_unique": "/id"}),
    Step("a merchant registers a public code with one redemption", "POST", "/v1/offers",
         key="merchant", body={
             "name": "Chỉ một suất", "discount": {"type": "fixed", "value": 50000},
             "code_mode": "public", "code": "LASTONE", "starts_at": SINCE, "ends_at": UNTIL,
             "limits": {"total_redemptions": 1}, "restore_on_refund": False},
         expect=201, save={"dm_lastone": "/id"}),
    Step("a merchant registers a code that starts later", "POST", "/v1/offers", key="merchant",
         body={"name": "Đêm khuya", "discount": {"type": "percent", "value": 20, "max_amount": 1},
               "code_mode": "public", "code": "LATER", "starts_at": "2098-01-01T00:00:00Z",
               "ends_at": UNTIL, "daily_window": {"from": "22:00", "to": "02:00"},
               "exclusive": True, "limits": {"per_day": 10}},
         expect=201, save={"dm_later": "/id"}),
    Step("a merchant registers a paused code", "POST", "/v1/offers", key="merchant", body={
        "name": "Tạm dừng", "discount": {"type": "fixed", "value": 10000}, "code_mode": "public",
        "code": "PAUSED1", "starts_at": SINCE, "ends_at": UNTIL, "status": "paused"},
        expect=201, save={"dm_paused": "/id"}),
    Step("admin registers spend tiers at a bookshop", "POST", "/v1/offers", key="admin", body={
        "merchant_id": "shop-sach", "name": "Giảm 20k từ 200k, 10% từ 500k",
        "discount": {"type": "tiered", "basis": "subtotal", "tiers": [
            {"min": 200000, "discount": {"type": "fixed", "value": 20000}},
            {"min": 500000, "discount": {"type": "percent", "value": 10, "max_amount": 60000}}]},
        "starts_at": SINCE, "ends_at": UNTIL},
        expect=201, save={"sach_tiers": "/id"}),
    Step("admin registers a buy 2 get 1 code", "POST", "/v1/offers", key="admin", body={
        "merchant_id": "shop-mebe", "name": "Tã bỉm mua 2 tặng 1",
        "discount": {"type": "buy_x_get_y", "buy": 2, "get": 1, "percent": 100, "max_sets": 2},
        "categories": ["diapers"], "code_mode": "public", "code": "MUA2TANG1",
        "starts_at": SINCE, "ends_at": UNTIL},
        expect=201, save={"mebe_bogo": "/id"}),
    Step("admin registers an offer for new users", "POST", "/v1/offers", key="admin", body={
        "merchant_id": "platform", "name": "Người dùng mới giảm 15.000 ₫",
        "layer": "platform", "merchant_ids": ["shop-sach"], "funded_by": "platform",
        "discount": {"type": "fixed", "value": 15000}, "shopper_tags": ["new_user"],
        "starts_at": SINCE, "ends_at": UNTIL},
        expect=201, save={"sach_new_users": "/id"}),
    Step("admin registers a wallet's cashback", "POST", "/v1/offers", key="admin", body={
        "merchant_id": "platform", "name": "ShopeePay hoàn 10% tối đa 50.000 ₫",
        "layer": "payment", "funded_by": "payment_partner", "funder": "shopeepay",
        "discount": {"type": "cashback", "value": 10, "max_amount": 50000},
        "payment_methods": ["shopeepay"], "starts_at": SINCE, "ends_at": UNTIL},
        expect=201, save={"spp_cashback": "/id"}),
    Step("a cashback outside the payment layer", "POST", "/v1/offers", key="admin", body={
        "merchant_id": "platform", "name": "x", "layer": "platform",
        "discount": {"type": "cashback", "value": 10}, "starts_at": SINCE, "ends_at": UNTIL},
        expect=422, code="validation_failed"),
    Step("admin registers a first-order code", "POST", "/v1/offers", key="admin", body={
        "merchant_id": "shop-sach", "name": "Đơn đầu tiên giảm 30.000 ₫",
        "discount": {"type": "fixed", "value": 30000}, "first_order": True,
        "code_mode": "public", "code": "DONDAU", "starts_at": SINCE, "ends_at": UNTIL},
        expect=201, save={"sach_first": "/id"}),
    Step("tiers out of order", "POST", "/v1/offers", key="admin", body={
        "merchant_id": "shop-sach", "name": "x", "starts_at": SINCE, "ends_at": UNTIL,
        "discount": {"type": "tiered", "basis": "quantity", "tiers": [
            {"min": 5, "discount": {"type": "percent", "value": 15}},
            {"min": 3, "discount": {"type": "percent", "value": 10}}]}},
        expect=422, code="validation_failed"),
    Step("merchant_id is another shop", "POST", "/v1/offers", key="merchant",
         body={"merchant_id": "shop-bachhoa", "name": "x",
               "discount": {"type": "fixed", "value": 1}, "starts_at": SINCE, "ends_at": UNTIL},
         expect=403, code="forbidden"),
    Step("a merchant asks for the platform layer", "POST", "/v1/offers", key="merchant", body={
        "name": "x", "layer": "platform", "discount": {"type": "fixed", "value": 1},
        "starts_at": SINCE, "ends_at": UNTIL}, expect=403, code="forbidden"),
    Step("a public code already taken", "POST", "/v1/offers", key="admin", body={
        "merchant_id": "platform", "name": "again", "layer": "platform",
        "discount": {"type": "fixed", "value": 1}, "code_mode": "public", "code": "thang10",
        "starts_at": SINCE, "ends_at": UNTIL}, expect=409, code="code_conflict"),
    Step("invalid fields", "POST", "/v1/offers", key="merchant", body={
        "name": "", "discount": {"type": "percent", "value": 120}, "starts_at": UNTIL,
        "ends_at": SINCE}, expect=422, code="validation_failed"),
    Step("an unknown field", "POST", "/v1/offers", key="merchant", body={
        "name": "x", "discount": {"type": "fixed", "value": 1}, "min_order_ammount": 5,
        "starts_at": SINCE, "ends_at": UNTIL}, expect=422, code="unknown_field"),
    Step("a body that is not JSON", "POST", "/v1/offers", key="merchant", raw=b'{"name": ',
         expect=400, code="malformed_json"),
    Step("a body that is not an object", "POST", "/v1/offers", key="merchant", raw=b"[1]",
         expect=400, code="malformed_json"),
    Step("a body of another media type", "POST", "/v1/offers", key="merchant",
         raw=b"name=x", headers={"Content-Type": "application/x-www-form-urlencoded"},
         expect=415, code="unsupported_media_type"),
    Step("a merchant registers offers in one batch (JSON array)", "POST", "/v1/offers/batch",
         key="merchant", body=[
             {"name": "Lô 1", "discount": {"type": "percent", "value": 3},
              "starts_at": SINCE, "ends_at": UNTIL},
             {"name": "Lô 2", "discount": {"type": "fixed", "value": 20000},
              "code_mode": "public", "code": "LO2", "starts_at": SINCE, "ends_at": UNTIL}],
         expect=201),
    Step("a merchant registers offers in one batch (NDJSON)", "POST", "/v1/offers/batch",
         key="merchant", headers={"Content-Type": "application/x-ndjson"},
         raw=('{"name":"Lô 3","discount":{"type":"fixed","value":1000},"starts_at":"%s",'
              '"ends_at":"%s"}\n' % (SINCE, UNTIL)).encode(), expect=201),
    Step("a batch with invalid offers", "POST", "/v1/offers/batch", key="merchant", body=[
        {"name": "", "discount": {"type": "percent", "value": 120}, "starts_at": SINCE,
         "ends_at": UNTIL}, {"name": "ok"}], expect=422, code="validation_failed"),
    Step("a batch whose offers share a public code", "POST", "/v1/offers/batch", key="merchant",
         body=[{"name": "a", "discount": {"type": "fixed", "value": 1}, "code_mode": "public",
                "code": "TWICE", "starts_at": SINCE, "ends_at": UNTIL},
               {"name": "b", "discount": {"type": "fixed", "value": 1}, "code_mode": "public",
                "code": "TWICE", "starts_at": SINCE, "ends_at": UNTIL}],
         expect=409, code="code_conflict"),
    Step("a batch body that is not an array", "POST", "/v1/offers/batch", key="merchant",
         body={"name": "x"}, expect=400, code="malformed_json"),
    Step("a batch of another media type", "POST", "/v1/offers/batch", key="merchant",
         raw=b"name=x", headers={"Content-Type": "text/csv"}, expect=415,
         code="unsupported_media_type"),
    Step("a body over --body-limit (announced, not sent)", "POST", "/v1/offers", key="merchant",
         raw=b"", headers={"Content-Type": "application/json",
                           "Content-Length": str(4 * BODY_LIMIT)},
         expect=413, code="payload_too_large"),
    Step("two Content-Length headers", "POST", "/v1/checkout/quote", key="checkout", raw=b"{}",
         headers=[("Content-Type", "application/json"), ("Content-Length", "2"),
                  ("Content-Length", "3")],
         expect=400, code="bad_request"),
    Step("a request target that is not a valid path", "GET", "/healthz?%zz", expect=400,
         code="bad_request"),
    Step("request headers over 8 KiB", "GET", "/healthz", headers={"X-Padding": "p" * 9000},
         expect=431, code="headers_too_large"),

    # -- reading and changing offers ---------------------------------------------------------------
    Step("admin lists every offer", "GET", "/v1/offers", key="admin"),
    Step("a page of two, with a cursor", "GET", "/v1/offers?limit=2", key="analyst",
         save={"cursor": "/next_cursor"}),
    Step("the next page", "GET", "/v1/offers?limit=2&cursor={cursor}", key="checkout"),
    Step("active offers of one shop", "GET", "/v1/offers?merchant_id=shop-dienmay&status=active",
         key="analyst"),
    Step("a merchant lists its own", "GET", "/v1/offers", key="merchant"),
    Step("a merchant lists another shop's", "GET", "/v1/offers?merchant_id=shop-bachhoa",
         key="merchant", expect=403, code="forbidden"),
    Step("a page size out of range", "GET", "/v1/offers?limit=0", key="admin", expect=422,
         code="validation_failed"),
    Step("read an offer", "GET", "/v1/offers/{thang10}", key="checkout",
         expect_headers={"ETag": '"1"'}),
    Step("HEAD of an offer", "HEAD", "/v1/offers/{dm_auto}", key="merchant"),
    Step("a merchant reads another shop's offer", "GET", "/v1/offers/{bachhoa}", key="merchant",
         expect=403, code="forbidden"),
    Step("no such offer", "GET", "/v1/offers/o_0000000000000000", key="admin", expect=404,
         code="not_found"),
    Step("a method the offer lacks", "DELETE", "/v1/offers/{dm_auto}", key="admin", expect=405,
         code="method_not_allowed", expect_headers={"Allow": "GET, PATCH"}),
    Step("rename without If-Match", "PATCH", "/v1/offers/{dm_auto}", key="merchant",
         body={"name": "Điện máy giảm 5% mọi ngày"}, expect_headers={"ETag": '"2"'}),
    Step("raise a cap with If-Match (merge patch)", "PATCH", "/v1/offers/{dm_auto}",
         key="merchant", body={"discount": {"max_amount": 300000}, "limits": {"per_shopper": None}},
         headers={"Content-Type": "application/merge-patch+json", "If-Match": '"2"'},
         expect_headers={"ETag": '"3"'}),
    Step("a stale If-Match", "PATCH", "/v1/offers/{dm_auto}", key="merchant",
         body={"priority": 3}, headers={"If-Match": "1"}, expect=412, code="version_mismatch"),
    Step("an If-Match that is not a version", "PATCH", "/v1/offers/{dm_auto}", key="merchant",
         body={"priority": 3}, headers={"If-Match": "*"}, expect=400, code="bad_if_match"),
    Step("a field fixed at creation", "PATCH", "/v1/offers/{dm_auto}", key="admin",
         body={"layer": "platform"}, expect=422, code="validation_failed"),
    Step("admin registers an offer to archive", "POST", "/v1/offers", key="admin", body={
        "merchant_id": "shop-dienmay", "name": "Hết hạn", "discount": {"type": "fixed", "value": 1},
        "code_mode": "unique", "starts_at": SINCE, "ends_at": UNTIL},
        expect=201, save={"dm_archived": "/id"}),
    Step("archive it", "PATCH", "/v1/offers/{dm_archived}", key="admin",
         body={"status": "archived"}),
    Step("archived is final", "PATCH", "/v1/offers/{dm_archived}", key="admin",
         body={"status": "active"}, expect=409, code="invalid_transition"),

    # -- unique codes ------------------------------------------------------------------------------
    Step("issue three codes", "POST", "/v1/offers/{dm_unique}/codes", key="merchant",
         body={"count": 3}, expect=201,
         save={"code1": "/codes/0", "code2": "/codes/1", "code3": "/codes/2"}),
    Step("codes for an automatic offer", "POST", "/v1/offers/{dm_auto}/codes", key="merchant",
         body={"count": 1}, expect=422, code="validation_failed"),
    Step("codes for an archived offer", "POST", "/v1/offers/{dm_archived}/codes", key="admin",
         body={"count": 1}, expect=409, code="invalid_transition"),
    Step("codes with an unknown field", "POST", "/v1/offers/{dm_unique}/codes", key="merchant",
         body={"count": 1, "prefix": "TV"}, expect=422, code="unknown_field"),

    # -- quotes ------------------------------------------------------------------------------------
    Step("a quote with codes applied and rejected", "POST", "/v1/checkout/quote", key="checkout",
         body=cart(codes=["thang10", "{code1}", "NOPE", "LATER", "PAUSED1", "LASTONE",
                          "BACHHOA10"]),
         check=rejected_reasons(("NOPE", "unknown_code"), ("LATER", "not_started"),
                                ("PAUSED1", "paused"), ("LASTONE", "superseded"),
                                ("BACHHOA10", "unknown_code"))),
    Step("a quote previewed at another instant", "POST", "/v1/checkout/quote", key="admin",
         body=cart(payment_method="cod", items=[KETTLE], codes=["THANG10"],
                   at="2026-10-10T12:00:00+07:00"),
         check=rejected_reasons(("THANG10", "payment_method"))),
    Step("a quote reaching the second spend tier", "POST", "/v1/checkout/quote", key="checkout",
         body=cart(merchant_id="shop-sach", payment_method="cod", items=[
             {"sku": "book-1", "category": "books", "unit_price": 250000, "quantity": 2}]),
         check=applied_offers("sach_tiers")),
    Step("a quote for a shopper tagged new_user", "POST", "/v1/checkout/quote", key="checkout",
         body=cart(merchant_id="shop-sach", payment_method="cod", shopper_tags=["new_user"],
                   items=[{"sku": "book-1", "category": "books", "unit_price": 250000,
                           "quantity": 2}]),
         check=applied_offers("sach_tiers", "sach_new_users")),
    Step("a quote paid with ShopeePay gets cashback", "POST", "/v1/checkout/quote",
         key="checkout", body=cart(payment_method="shopeepay"),
         check=cashback_of("spp_cashback", 50000)),
    Step("a buy 2 get 1 code one unit short", "POST", "/v1/checkout/quote", key="checkout",
         body=cart(merchant_id="shop-mebe", payment_method="cod", codes=["mua2tang1"], items=[
             {"sku": "ta-l", "category": "diapers", "unit_price": 180000, "quantity": 2}]),
         check=rejected_reasons(("mua2tang1", "min_quantity"))),
    Step("a buy 2 get 1 code with a set", "POST", "/v1/checkout/quote", key="checkout",
         body=cart(merchant_id="shop-mebe", payment_method="cod", codes=["MUA2TANG1"], items=[
             {"sku": "ta-l", "category": "diapers", "unit_price": 180000, "quantity": 3}]),
         check=applied_offers("mebe_bogo")),
    Step("a cart with invalid fields", "POST", "/v1/checkout/quote", key="checkout",
         body=cart(shopper_id="", items=[{**TV, "quantity": 0}]), expect=422,
         code="validation_failed"),

    # -- redemptions -------------------------------------------------------------------------------
    Step("redeem with a unique code (reserved)", "POST", "/v1/redemptions", key="checkout",
         body=redemption("DH-0001", codes=["THANG10", "{code1}"]), headers=idem("k-0001"),
         expect=201, save={"r1": "/id"},
         check=applied_offers("dm_unique", "thang10", "momo30k", "freeship")),
    Step("the same request again: replayed", "POST", "/v1/redemptions", key="checkout",
         body=redemption("DH-0001", codes=["THANG10", "{code1}"]), headers=idem("k-0001"),
         expect=201, expect_headers={"Idempotent-Replayed": "true"}),
    Step("the same key, another body", "POST", "/v1/redemptions", key="checkout",
         body=redemption("DH-0001"), headers=idem("k-0001"), expect=422,
         code="idempotency_key_reused"),
    Step("a second redemption of a live order", "POST", "/v1/redemptions", key="checkout",
         body=redemption("DH-0001"), headers=idem("k-0002"), expect=409,
         code="order_already_redeemed"),
    Step("nothing applies: the codes are reported", "POST", "/v1/redemptions", key="checkout",
         body=redemption("DH-0003", merchant_id="shop-khac", payment_method="cod",
                         items=[KETTLE], codes=["NOPE", "THANG10"]),
         headers=idem("k-0003"), expect=409, code="nothing_to_redeem",
         check=rejected_reasons(("NOPE", "unknown_code"), ("THANG10", "payment_method"))),
    Step("the discount changed since the quote", "POST", "/v1/redemptions", key="checkout",
         body=redemption("DH-0004", codes=["NOPE"], expected_discount_total=1),
         headers=idem("k-0004"), expect=409, code="quote_changed",
         check=rejected_reasons(("NOPE", "unknown_code"))),
    Step("no Idempotency-Key", "POST", "/v1/redemptions", key="checkout",
         body=redemption("DH-0005"), expect=400, code="missing_header"),
    Step("an Idempotency-Key too long", "POST", "/v1/redemptions", key="checkout",
         body=redemption("DH-0005"), headers=idem("k" * 256), expect=400,
         code="bad_idempotency_key"),
    Step("`at` on a redemption", "POST", "/v1/redemptions", key="checkout",
         body=redemption("DH-0005", at="2026-10-10T12:00:00+07:00"), headers=idem("k-0005"),
         expect=422, code="validation_failed"),
    Step("a typo in a cart item", "POST", "/v1/redemptions", key="checkout",
         body=redemption("DH-0005", items=[{**TV, "qty": 1}]), headers=idem("k-0005"),
         expect=422, code="unknown_field"),
    Step("commit", "POST", "/v1/redemptions/{r1}/commit", key="checkout"),
    Step("commit again", "POST", "/v1/redemptions/{r1}/commit", key="checkout", body={},
         expect=409, code="invalid_transition"),
    Step("refund", "POST", "/v1/redemptions/{r1}/refund", key="admin"),
    Step("cancel a refunded redemption", "POST", "/v1/redemptions/{r1}/cancel", key="checkout",
         expect=409, code="invalid_transition"),
    Step("a transition with an unknown field", "POST", "/v1/redemptions/{r1}/cancel",
         key="checkout", body={"reason": "x"}, expect=422, code="unknown_field"),
    Step("commit an unknown redemption", "POST", "/v1/redemptions/r_0000000000000000/commit",
         key="checkout", expect=404, code="not_found"),
    Step("redeem and commit at once", "POST", "/v1/redemptions", key="admin",
         body=redemption("DH-0006", shopper_id="shopper-0002", payment_method="vietqr",
                         codes=["{code2}"], commit=True),
         headers=idem("k-0006"), expect=201, save={"r2": "/id"}),
    Step("reserve, then cancel", "POST", "/v1/redemptions", key="checkout",
         body=redemption("DH-0007", shopper_id="shopper-0003", items=[KETTLE, TV]),
         headers=idem("k-0007"), expect=201, save={"r3": "/id"}),
    Step("cancel", "POST", "/v1/redemptions/{r3}/cancel", key="checkout"),
    Step("a shopper's first order at a shop", "POST", "/v1/redemptions", key="checkout",
         body=redemption("SACH-0001", shopper_id="shopper-first", merchant_id="shop-sach",
                         payment_method="cod", codes=["dondau"], commit=True,
                         items=[{"sku": "book-1", "category": "books", "unit_price": 250000,
                                 "quantity": 1}]),
         headers=idem("k-sach-1"), expect=201, check=applied_offers("sach_first")),
    Step("the same shopper's next order there", "POST", "/v1/checkout/quote", key="checkout",
         body=cart(shopper_id="shopper-first", merchant_id="shop-sach", payment_method="cod",
                   codes=["dondau"], items=[{"sku": "book-1", "category": "books",
                                             "unit_price": 250000, "quantity": 1}]),
         check=rejected_reasons(("dondau", "not_first_order"))),
    Step("read a redemption", "GET", "/v1/redemptions/{r1}", key="analyst"),
    Step("no such redemption", "GET", "/v1/redemptions/r_0000000000000000", key="checkout",
         expect=404, code="not_found"),
    Step("a merchant may not read redemptions", "GET", "/v1/redemptions/{r1}", key="merchant",
         expect=403, code="forbidden"),
    Burst("eight checkouts race for LASTONE's one redemption", [
        Step(f"racer {i}", "POST", "/v1/redemptions", key="checkout",
             body=redemption(f"DH-RACE-{i}", shopper_id=f"shopper-race-{i}", items=[KETTLE],
                             codes=["LASTONE"], commit=True),
             headers=idem(f"k-race-{i}"), expect={201, 409}) for i in range(8)],
        check=exactly_one_applies("dm_lastone")),
    Step("a used code and a used-up offer", "POST", "/v1/checkout/quote", key="checkout",
         body=cart(items=[KETTLE], codes=["{code2}", "LASTONE"]),
         check=rejected_reasons(("{code2}", "code_used"), ("LASTONE", "quota_exhausted"))),

    # -- stats and export --------------------------------------------------------------------------
    Step("a merchant's offer stats", "GET", "/v1/stats/offers/{dm_unique}", key="merchant"),
    Step("offer stats of a platform offer", "GET", "/v1/stats/offers/{thang10}", key="analyst"),
    Step("offer stats of another shop", "GET", "/v1/stats/offers/{bachhoa}", key="merchant",
         expect=403, code="forbidden"),
    Step("campaign totals", "GET", "/v1/stats/campaign", key="analyst"),
    *[Step(f"campaign by {g}", "GET", f"/v1/stats/campaign?group_by={g}", key="analyst")
      for g in ("day", "hour", "payment_method", "merchant", "offer", "funded_by")],
    Step("one shop in a range", "GET",
         "/v1/stats/campaign?from=2020-01-01&to=2099-01-01T00:00:00%2B07:00"
         "&merchant_id=shop-dienmay&group_by=day", key="admin"),
    Step("an unknown grouping", "GET", "/v1/stats/campaign?group_by=week", key="analyst",
         expect=422, code="validation_failed"),
    Step("checkout may not read campaign stats", "GET", "/v1/stats/campaign", key="checkout",
         expect=403, code="forbidden"),
    Step("export as NDJSON", "GET", "/v1/redemptions/export", key="analyst"),
    Step("export as CSV since a day", "GET", "/v1/redemptions/export?format=csv&from=2020-01-01",
         key="admin"),
    Step("an unknown export format", "GET", "/v1/redemptions/export?format=xml", key="analyst",
         expect=422, code="validation_failed"),
    Step("every event so far", "GET", "/v1/events?limit=1000", key="admin"),
    Step("a merchant's own events, a page of 5", "GET", "/v1/events?after=0&limit=5",
         key="merchant"),
    Step("events after the last, waiting a second", "GET", "/v1/events?after=100000&wait=1",
         key="analyst"),
    Step("another shop's events", "GET", "/v1/events?merchant_id=shop-bachhoa", key="merchant",
         expect=403, code="forbidden"),
    Step("a wait past 30 s", "GET", "/v1/events?wait=31", key="admin", expect=422,
         code="validation_failed"),
    Step("checkout may not read events", "GET", "/v1/events", key="checkout", expect=403,
         code="forbidden"),
    Step("an offer's history", "GET", "/v1/offers/{dm_auto}/history", key="merchant"),
    Step("its history after version 1, a page of 1", "GET",
         "/v1/offers/{dm_auto}/history?after_version=1&limit=1", key="analyst"),
    Step("another shop's offer history", "GET", "/v1/offers/{bachhoa}/history", key="merchant",
         expect=403, code="forbidden"),
    Step("no such offer's history", "GET", "/v1/offers/o_0000000000000000/history", key="admin",
         expect=404, code="not_found"),
    Step("a history page of 0", "GET", "/v1/offers/{dm_auto}/history?limit=0", key="admin",
         expect=422, code="validation_failed"),

    # -- webhooks ----------------------------------------------------------------------------------
    # The host is under .invalid (RFC 6761), so that the deliveries this starts never reach anyone:
    # they are logged as failed attempts (`resolve`).
    Step("the newest event's seq", "GET", "/v1/events?after=100000", key="admin",
         save={"last_seq": "/last_seq"}),
    Step("a merchant registers a webhook", "POST", "/v1/webhooks", key="merchant", body={
        "url": "https://hooks.example.invalid/uudai", "events": ["redemption.committed"]},
        expect=201, save={"webhook": "/id"},
        check=lambda e: fields_are(merchant_id="shop-dienmay", delivered_through="{last_seq}",
                                   events=["redemption.committed"])(e) + secret_generated(e)),
    Step("admin registers a webhook for every shop, with its own secret", "POST", "/v1/webhooks",
         key="admin", body={"url": "https://hooks.example.invalid/all-shops",
                            "events": ["offer.created", "offer.budget_threshold"],
                            "secret": "contract-secret-0001"},
         expect=201, save={"webhook_all": "/id"},
         check=fields_are(merchant_id=None, secret="contract-secret-0001")),
    Step("a merchant lists its webhooks", "GET", "/v1/webhooks", key="merchant",
         check=item_ids("webhook")),
    Step("admin lists every webhook", "GET", "/v1/webhooks", key="admin"),
    Step("another shop lists none of them", "GET", "/v1/webhooks", key="merchant_bachhoa",
         check=item_ids()),
    Step("the webhook's delivery attempts", "GET", "/v1/webhooks/{webhook}/deliveries",
         key="merchant"),
    Step("deliver its events again from seq 0", "POST", "/v1/webhooks/{webhook}/redeliver",
         key="merchant", body={"after_seq": 0}, check=fields_are(delivered_through=0)),
    Step("redeliver past the last event", "POST", "/v1/webhooks/{webhook}/redeliver",
         key="merchant", body={"after_seq": 900000000}, expect=422, code="validation_failed"),
    Step("redeliver with a negative seq", "POST", "/v1/webhooks/{webhook}/redeliver",
         key="admin", body={"after_seq": -1}, expect=422, code="validation_failed"),
    Step("redeliver with an unknown field", "POST", "/v1/webhooks/{webhook}/redeliver",
         key="merchant", body={"after": 0}, expect=422, code="unknown_field"),
    Step("a webhook to a loopback address", "POST", "/v1/webhooks", key="merchant",
         body={"url": "http://127.0.0.1/x", "events": ["redemption.committed"]}, expect=422,
         code="validation_failed"),
    Step("a webhook to the cloud metadata address", "POST", "/v1/webhooks", key="admin",
         body={"url": "http://169.254.169.254/latest/meta-data", "events": ["offer.created"]},
         expect=422, code="validation_failed"),
    Step("a webhook for an unknown event type", "POST", "/v1/webhooks", key="merchant",
         body={"url": "https://hooks.example.invalid/uudai", "events": ["nope"]}, expect=422,
         code="validation_failed"),
    Step("a webhook with an unknown field", "POST", "/v1/webhooks", key="merchant",
         body={"url": "https://hooks.example.invalid/uudai", "events": ["offer.created"],
               "event": "offer.updated"}, expect=422, code="unknown_field"),
    Step("a merchant registers a webhook for another shop", "POST", "/v1/webhooks",
         key="merchant", body={"url": "https://hooks.example.invalid/uudai",
                               "events": ["offer.created"], "merchant_id": "shop-bachhoa"},
         expect=403, code="forbidden"),
    Step("checkout may not register webhooks", "POST", "/v1/webhooks", key="checkout",
         body={"url": "https://hooks.example.invalid/uudai", "events": ["offer.created"]},
         expect=403, code="forbidden"),
    Step("a second for the deliverer to try", "GET", "/v1/events?after=100000&wait=1",
         key="admin"),
    Step("the attempts since the redeliver, a page of 5", "GET",
         "/v1/webhooks/{webhook}/deliveries?limit=5", key="admin",
         check=attempts_at("redemption.committed")),
    Step("a page of deliveries past 1000", "GET", "/v1/webhooks/{webhook}/deliveries?limit=1001",
         key="merchant", expect=422, code="validation_failed"),
    Step("another shop deletes the webhook", "DELETE", "/v1/webhooks/{webhook}",
         key="merchant_bachhoa", expect=404, code="not_found"),
    Step("a method the webhook lacks", "GET", "/v1/webhooks/{webhook}", key="merchant",
         expect=405, code="method_not_allowed", expect_headers={"Allow": "DELETE"}),
    Step("its merchant deletes it", "DELETE", "/v1/webhooks/{webhook}", key="merchant",
         expect=204),
    Step("the deliveries of a deleted webhook", "GET", "/v1/webhooks/{webhook}/deliveries",
         key="merchant", expect=404, code="not_found"),
    Step("redeliver a deleted webhook", "POST", "/v1/webhooks/{webhook}/redeliver",
         key="merchant", body={"after_seq": 0}, expect=404, code="not_found"),
    Step("admin deletes its webhook", "DELETE", "/v1/webhooks/{webhook_all}", key="admin",
         expect=204),
    Step("a rate-limited key's first request", "GET", "/v1/stats/campaign", key="limited"),
    Step("its second, at once", "GET", "/v1/stats/campaign", key="limited", expect=429,
         code="rate_limited"),
    Step("metrics after all that", "GET", "/metrics"),
]

# ---- the description --------------------------------------------------------------------------


class DescriptionLoader(yaml.SafeLoader):
    """YAML as OpenAPI reads it: JSON types only (no timestamps made of unquoted dates)."""


DescriptionLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value):
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        raise ValueError("not an RFC 3339 date-time")
    datetime.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


@FORMATS.checks("date", raises=ValueError)
def is_date(value):
    if not isinstance(value, str):
        return True
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        raise ValueError("not a full-date")
    datetime.date.fromisoformat(value)
    return True


HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class Description:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.text = f.read()
        self.doc = yaml.load(self.text, Loader=DescriptionLoader)
        self.resolver = jsonschema.RefResolver.from_schema(self.doc, id_of=lambda _: "")
        self.templates = []  # (regex, template, literal segment count)
        for template in self.doc["paths"]:
            parts = template.strip("/").split("/")
            regex = "^/" + "/".join("[^/]+" if p.startswith("{") else re.escape(p)
                                    for p in parts) + "$"
            literal = sum(not p.startswith("{") for p in parts)
            self.templates.append((re.compile(regex), template, literal))
        # The headers the description names anywhere: a response carrying one of these must
        # document it.
        self.header_names = set()
        for _, _, _, response in self.responses():
            self.header_names.update(h.lower() for h in response.get("headers", {}))

    def deref(self, node):
        while isinstance(node, dict) and "$ref" in node:
            _, target = self.resolver.resolve(node["$ref"])
            node = target
        return node

    def validator(self, schema):
        return jsonschema.Draft202012Validator(schema, resolver=self.resolver,
                                               format_checker=FORMATS)

    def operations(self):
        for template, item in self.doc["paths"].items():
            for method, operation in item.items():
                if method in HTTP_METHODS:
                    yield template, method, operation

    def responses(self):
        for template, method, operation in self.operations():
            for status, response in operation.get("responses", {}).items():
                yield operation, str(status), template, self.deref(response)

    def path_item(self, path):
        """The template that matches `path` (literal segments win) and its path item."""
        matches = [(literal, template) for regex, template, literal in self.templates
                   if regex.match(path)]
        if not matches:
            return None, None
        template = max(matches)[1]
        return template, self.doc["paths"][template]


def response_for(operation, status):
    responses = {str(k): v for k, v in operation.get("responses", {}).items()}
    for name in (str(status), f"{status // 100}XX", "default"):
        if name in responses:
            return responses[name]
    return None


def media_type(content_type):
    return content_type.split(";")[0].strip().lower()


def is_json(media):
    return media == "application/json" or media.endswith("+json")


def pointer(path):
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def schema_errors(description, schema, instance, where):
    """Every way `instance` breaks `schema`, one line each: where, JSON pointer, message."""
    out = []
    try:
        errors = sorted(description.validator(schema).iter_errors(instance),
                        key=lambda e: list(map(str, e.absolute_path)))
    except (jsonschema.exceptions.SchemaError, jsonschema.exceptions.UnknownType,
            jsonschema.exceptions.RefResolutionError) as error:
        return [f"{where}: the schema itself is broken: {str(error).splitlines()[0]}"]
    for error in errors:
        message = error.message
        if error.context:  # oneOf / anyOf: say why the closest branch failed
            best = jsonschema.exceptions.best_match(error.context)
            message += f" [closest: {pointer(best.absolute_path)}: {best.message}]"
        if len(message) > 400:
            message = message[:400] + "…"
        schema_path = "/".join(str(p) for p in error.absolute_schema_path)
        out.append(f"{where} at {pointer(error.absolute_path)}: {message} "
                   f"(schema path {schema_path})")
    return out


# ---- one exchange -----------------------------------------------------------------------------


@dataclasses.dataclass
class Exchange:
    step: Step
    method: str
    path: str
    saved: dict
    status: int = 0
    headers: dict = dataclasses.field(default_factory=dict)  # lower-case name -> value
    body: bytes = b""
    json: Any = None
    operation_id: str = "?"
    failures: list = dataclasses.field(default_factory=list)


def substitute(value, saved):
    if isinstance(value, str):
        whole = re.fullmatch(r"\{([a-z0-9_]+)\}", value)
        if whole and whole.group(1) in saved:
            return saved[whole.group(1)]
        return re.sub(r"\{([a-z0-9_]+)\}", lambda m: str(saved.get(m.group(1), m.group(0))), value)
    if isinstance(value, list):
        return [substitute(v, saved) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, saved) for k, v in value.items()}
    return value


def send(port, step, saved):
    path = substitute(step.path, saved)
    headers = list(step.headers.items()) if isinstance(step.headers, dict) else list(step.headers)
    headers = [(name, substitute(value, saved)) for name, value in headers]
    names = {name.lower() for name, _ in headers}
    body = step.raw
    if body is None and step.body is not NO_BODY:
        body = json.dumps(substitute(step.body, saved), ensure_ascii=False).encode()
    if body is not None and "content-type" not in names:
        headers.append(("Content-Type", "application/json"))
    if body is not None and "content-length" not in names:
        headers.append(("Content-Length", str(len(body))))
    if step.key is not None:
        key = UNKNOWN_KEY if step.key == "unknown" else KEYS[step.key]["key"]
        headers.append(("Authorization", "Bearer " + key))
    exchange = Exchange(step, step.method, path, saved)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.putrequest(step.method, path, skip_host=False, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders(body or None)
        response = connection.getresponse()
        exchange.status = response.status
        exchange.headers = {name.lower(): value for name, value in response.getheaders()}
        exchange.body = response.read()
    except (OSError, http.client.HTTPException) as error:
        exchange.failures.append(f"no answer: {error!r}")
    finally:
        connection.close()
    return exchange


def check_contract(description, exchange):
    """Appends to exchange.failures every way the answer departs from the description."""
    status = exchange.status
    if status == 0:
        return
    method = exchange.method.lower()
    template, item = description.path_item(exchange.path.split("?")[0])
    candidates = []  # (operation id, response object)
    if template is None:
        if not exchange.step.unrouted:
            exchange.failures.append(f"no path of the description matches {exchange.path}")
            return
        exchange.operation_id = "(no route)"
        if status != 404:
            exchange.failures.append(f"a path no route has answered {status}, not 404")
            return
        candidates.append(("(no route)", description.deref(
            {"$ref": "#/components/responses/NotFound"})))
    else:
        if exchange.step.unrouted:
            exchange.failures.append(f"{exchange.path} matches {template}; the step says no route")
        operation = item.get("get" if method == "head" else method)
        if operation is not None:
            exchange.operation_id = operation.get("operationId", f"{method} {template}")
            response = response_for(operation, status)
            if response is None:
                exchange.failures.append(
                    f"{exchange.operation_id}: status {status} is not documented")
                return
            candidates.append((exchange.operation_id, description.deref(response)))
        else:
            # A method the path lacks: every operation of the path documents the 405.
            exchange.operation_id = f"{exchange.method} {template} (no such operation)"
            if status != 405:
                exchange.failures.append(
                    f"{exchange.operation_id}: answered {status}; only 405 can be documented")
                return
            for other in (item[m] for m in HTTP_METHODS if m in item):
                response = response_for(other, status)
                if response is None:
                    exchange.failures.append(
                        f"{other.get('operationId')}: status 405 is not documented")
                else:
                    candidates.append((other.get("operationId"), description.deref(response)))
    for operation_id, response in candidates:
        check_response(description, exchange, f"{operation_id} {status}", response)


def check_response(description, exchange, where, response):
    documented = {name.lower(): description.deref(h)
                  for name, h in response.get("headers", {}).items()}
    for name, header in documented.items():
        value = exchange.headers.get(name)
        if value is None:
            if header.get("required"):
                exchange.failures.append(f"{where}: required header {name} is missing")
            continue
        schema = header.get("schema", {})
        instance = value
        if description.deref(schema).get("type") == "integer":
            try:
                instance = int(value)
            except ValueError:
                pass
        exchange.failures += schema_errors(description, schema, instance,
                                           f"{where} header {name}")
    for name in exchange.headers:
        if name in description.header_names and name not in documented:
            exchange.failures.append(f"{where}: sends header {name}, which it does not document")

    content = response.get("content", {})
    head = exchange.method == "HEAD"
    if not content:
        if exchange.body:
            exchange.failures.append(f"{where}: has a body but documents none")
        return
    sent_type = media_type(exchange.headers.get("content-type", ""))
    matching = [m for m in content if media_type(m) == sent_type]
    if not matching:
        exchange.failures.append(f"{where}: Content-Type {sent_type or '(none)'} is not one of "
                                 f"{', '.join(content)}")
        return
    if head:
        return
    schema = content[matching[0]].get("schema")
    if schema is None:
        return
    where = f"{where} {sent_type}"
    if sent_type == "application/x-ndjson":
        for number, line in enumerate(exchange.body.decode("utf-8").splitlines(), 1):
            if not line:
                continue
            try:
                row = json.loads(line)
            except ValueError:
                exchange.failures.append(f"{where} line {number}: not JSON")
                continue
            exchange.failures += schema_errors(description, schema, row, f"{where} line {number}")
    elif is_json(sent_type):
        if exchange.json is None:
            exchange.failures.append(f"{where}: the body is not JSON")
        else:
            exchange.failures += schema_errors(description, schema, exchange.json, where)


def check_expectations(exchange):
    """What the script expects beyond the description: status, problem code, headers."""
    step = exchange.step
    if exchange.status == 0:
        return
    statuses = step.expect if isinstance(step.expect, set) else {step.expect}
    if exchange.status not in statuses:
        exchange.failures.append(f"expected status {sorted(statuses)}, got {exchange.status}: "
                                 f"{exchange.body[:300].decode('utf-8', 'replace')}")
        return
    if step.code is not None:
        got = exchange.json.get("code") if isinstance(exchange.json, dict) else None
        if got != step.code:
            exchange.failures.append(f"expected problem code {step.code}, got {got}")
    for name, value in step.expect_headers.items():
        got = exchange.headers.get(name.lower())
        if got != value:
            exchange.failures.append(f"expected header {name}: {value}, got {got}")
    if step.check is not None:
        exchange.failures += step.check(exchange)


def finish(description, exchange):
    if exchange.body and is_json(media_type(exchange.headers.get("content-type", ""))):
        try:
            exchange.json = json.loads(exchange.body)
        except ValueError:
            exchange.json = None
    check_expectations(exchange)
    check_contract(description, exchange)
    for name, where in exchange.step.save.items():
        try:
            exchange.saved[name] = resolve_pointer(exchange.json, where)
        except (KeyError, IndexError, TypeError):
            exchange.failures.append(f"nothing at {where} to save as {name}")


def resolve_pointer(document, where):
    node = document
    for part in where.lstrip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


# ---- the server -------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, workdir):
        self.port = free_port()
        keys = os.path.join(workdir, "keys.json")
        with open(keys, "w") as f:
            json.dump(list(KEYS.values()), f)
        self.log_path = os.path.join(workdir, "serve.log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--keys", keys,
             "--data-dir", os.path.join(workdir, "data"), "--threads", "2", "--log-level", "warn",
             "--body-limit", str(BODY_LIMIT)],
            stdout=self.log, stderr=subprocess.STDOUT)

    def wait_until_healthy(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def log_tail(self):
        with open(self.log_path, "rb") as f:
            return f.read()[-2000:].decode("utf-8", "replace")


# ---- the run ----------------------------------------------------------------------------------


def check_document(description):
    """Every component schema is a valid Draft 2020-12 schema, and every documented response
    example validates against its media type's schema. Returns (examples checked, failures)."""
    failures, count = [], 0
    for name, schema in description.doc["components"]["schemas"].items():
        for error in jsonschema.Draft202012Validator(
                jsonschema.Draft202012Validator.META_SCHEMA).iter_errors(schema):
            failures.append(f"components/schemas/{name} at {pointer(error.absolute_path)}: "
                            f"{error.message}")
    for operation, status, _, response in description.responses():
        for name, media in response.get("content", {}).items():
            schema = media.get("schema")
            if schema is None:
                continue
            examples = []
            if "example" in media:
                examples.append(("example", media["example"]))
            for key, example in media.get("examples", {}).items():
                examples.append((f"examples/{key}", description.deref(example).get("value")))
            for label, value in examples:
                count += 1
                if isinstance(value, str) and not is_json(media_type(name)):
                    continue
                where = f"{operation.get('operationId')} {status} {media_type(name)} {label}"
                failures += schema_errors(description, schema, value, where)
    return count, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uudai", required=True, help="the uudai binary")
    parser.add_argument("--openapi", required=True, help="gateway/openapi.yaml")
    args = parser.parse_args()

    global DESCRIPTION_PATH
    DESCRIPTION_PATH = args.openapi
    description = Description(args.openapi)
    passed, failed, all_failures = 0, 0, []

    def report(line, failures):
        nonlocal passed, failed
        if failures:
            failed += 1
            print(f"FAIL {line}")
            for failure in failures:
                print(f"       {failure}")
            all_failures.append((line, failures))
        else:
            passed += 1
            print(f"ok   {line}")

    count, failures = check_document(description)
    report(f"the description's schemas are Draft 2020-12 and its {count} response examples "
           "validate against them", failures)

    exercised = set()
    with tempfile.TemporaryDirectory(prefix="uudai-contract-") as workdir:
        server = Server(args.uudai, workdir)
        try:
            if not server.wait_until_healthy():
                print(f"FAIL uudai serve did not become healthy:\n{server.log_tail()}")
                print("0 passed, 1 failed")
                return 1
            saved = {}
            for entry in SCRIPT:
                steps = entry.steps if isinstance(entry, Burst) else [entry]
                with concurrent.futures.ThreadPoolExecutor(max_workers=len(steps)) as pool:
                    exchanges = list(pool.map(lambda s: send(server.port, s, saved), steps))
                for exchange in exchanges:
                    finish(description, exchange)
                    if 200 <= exchange.status < 300:
                        exercised.add(exchange.operation_id)
                    report(f"{exchange.method} {exchange.path} → {exchange.status} "
                           f"{exchange.operation_id}: {exchange.step.title}", exchange.failures)
                if isinstance(entry, Burst) and entry.check is not None:
                    tally = sorted(collections.Counter(
                        f"{e.status} {e.json.get('code', '')}".strip() if e.status >= 400
                        else str(e.status) for e in exchanges).items())
                    report(f"{entry.title} (answers: "
                           f"{', '.join(f'{n}× {answer}' for answer, n in tally)})",
                           entry.check(exchanges))
        finally:
            server.stop()

    missing = sorted(op.get("operationId") for _, _, op in description.operations()
                     if op.get("operationId") not in exercised)
    report("every documented operation answered a 2xx at least once",
           [f"never answered 2xx: {', '.join(missing)}"] if missing else [])

    if all_failures:
        print("\nMismatches:")
        for line, failures in all_failures:
            print(f"  {line}")
            for failure in failures:
                print(f"    {failure}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

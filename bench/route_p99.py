#!/usr/bin/env python3
"""The p99 of each route between two /metrics snapshots, from the gateway's own histogram.

Usage: route_p99.py [--status CODE] BEFORE AFTER [ROUTE ...]
Prints one line of "route=bound" for the routes given (all routes seen when none): the upper
bound of the histogram bucket (uudai_http_request_duration_seconds, every status summed, or
only status CODE with --status; a file holding several gateways' snapshots sums them) holding the 99th percentile of the requests between the two snapshots, in ms; ">2500" past
the last bucket; "-" with no requests. Python standard library only.
"""
import collections
import re
import sys

LINE = re.compile(r'^uudai_http_request_duration_seconds_bucket\{route="([^"]*)",'
                  r'status="(\d+)",le="([^"]+)"\} (\d+)')


def buckets(path, status=None):
    """route -> {le: cumulative count}, every status summed (or only `status`)."""
    out = collections.defaultdict(collections.Counter)
    with open(path) as f:
        for line in f:
            m = LINE.match(line)
            if m and status in (None, m.group(2)):
                out[m.group(1)][m.group(3)] += int(m.group(4))
    return out


def p99(before, after):
    delta = {le: after[le] - before.get(le, 0) for le in after}
    total = delta.get("+Inf", 0)
    if total == 0:
        return "-"
    bounds = sorted((float(le), le) for le in delta if le != "+Inf")
    for value, le in bounds:
        if delta[le] >= 0.99 * total:
            return f"{value * 1000:g}"
    return f">{bounds[-1][0] * 1000:g}"


def main():
    args = sys.argv[1:]
    status = None
    if args[:1] == ["--status"]:
        status, args = args[1], args[2:]
    before, after = buckets(args[0], status), buckets(args[1], status)
    routes = args[2:] or sorted(after)
    print(" ".join(f"{route}={p99(before.get(route, {}), after.get(route, {}))}" for route in routes))


if __name__ == "__main__":
    main()

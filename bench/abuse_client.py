#!/usr/bin/env python3
"""Holds abusive connections open against an HTTP server (bench/run-abuse-bench.sh).

Two kinds, each kept at its count for --hold seconds (a connection the server closes is
counted and replaced at once, as an attacker would):
  slow-loris  sends a request header a few bytes every --byte-interval seconds and never
              finishes it: the server's header timeout should close it;
  idle        sends one complete keep-alive request (GET /healthz), reads the answer, then
              stays silent: the server's idle timeout should close it.
Writes --ready-file once every connection is open (and every idle one has had its answer),
then at the end prints one JSON object: per kind, connections opened, closed by the server,
their lifetimes (from the first byte for slow-loris, from the answer for idle; min, median,
max seconds), closed within 1 s (refused rather than timed out), connect errors; and the
least number connected at once after ready (it dips while the replacements of connections cut
together are connecting). Python standard library only.
"""
import argparse
import collections
import errno
import heapq
import json
import os
import selectors
import socket
import statistics
import sys
import time

IDLE_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"


def slow_header():
    """An endless request header: a request line, then header lines, never the blank line."""
    yield b"POST /v1/checkout/quote HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    n = 0
    while True:
        n += 1
        yield b"X-Slow-%d: %d\r\n" % (n, n)


class Conn:
    __slots__ = ("kind", "sock", "connected", "since", "answered", "pending", "header", "inbox")

    def __init__(self, kind, sock):
        self.kind = kind
        self.sock = sock
        self.connected = False
        self.since = None  # when the timeout the server should apply started
        self.answered = False  # idle: its request has been answered
        self.pending = b""  # slow-loris: bytes of the header still to send
        self.header = slow_header() if kind == "slowloris" else None
        self.inbox = b""


class Abuser:
    def __init__(self, args):
        self.args = args
        self.selector = selectors.DefaultSelector()
        self.conns = {}
        self.sends = []  # heap of (time, seq, fd) for slow-loris bytes
        self.seq = 0
        self.stats = {kind: {"opened": 0, "closed_by_server": 0, "lifetimes": [],
                             "closed_within_1s": 0, "connect_errors": 0, "answers": {}}
                      for kind in ("slowloris", "idle")}
        self.ready_at = None
        self.min_held = None
        self.held = 0  # connected, not yet closed
        self.slow_sends = 0  # slow-loris sends that went out
        self.sends_written_at = 0.0

    def open(self, kind):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        code = sock.connect_ex((self.args.host, self.args.port))
        if code not in (0, errno.EINPROGRESS):
            self.stats[kind]["connect_errors"] += 1
            sock.close()
            return
        conn = Conn(kind, sock)
        self.conns[sock.fileno()] = conn
        self.selector.register(sock, selectors.EVENT_WRITE, conn)
        self.stats[kind]["opened"] += 1

    def schedule(self, conn, at):
        self.seq += 1
        heapq.heappush(self.sends, (at, self.seq, conn.sock.fileno(), conn))

    def close(self, conn, by_server, now):
        if by_server:
            s = self.stats[conn.kind]
            s["closed_by_server"] += 1
            if conn.since is not None:
                lifetime = now - conn.since
                s["lifetimes"].append(lifetime)
                if lifetime < 1.0:
                    s["closed_within_1s"] += 1
        self.held -= conn.connected
        self.selector.unregister(conn.sock)
        del self.conns[conn.sock.fileno()]
        conn.sock.close()
        if by_server and now < self.deadline:
            self.open(conn.kind)  # keep the count up

    def on_connected(self, conn, now):
        if conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
            self.stats[conn.kind]["connect_errors"] += 1
            self.selector.unregister(conn.sock)
            del self.conns[conn.sock.fileno()]
            conn.sock.close()
            if now < self.deadline:
                self.open(conn.kind)
            return
        conn.connected = True
        self.held += 1
        self.selector.modify(conn.sock, selectors.EVENT_READ, conn)
        if conn.kind == "idle":
            conn.sock.send(IDLE_REQUEST)
        else:
            conn.since = now  # the header timeout runs from the first byte
            self.send_slow(conn, now)

    def send_slow(self, conn, now):
        if not conn.pending:
            conn.pending = next(conn.header)
        chunk, conn.pending = conn.pending[:self.args.bytes], conn.pending[self.args.bytes:]
        try:
            conn.sock.send(chunk)
        except OSError:
            return self.close(conn, True, now)
        self.slow_sends += 1
        self.schedule(conn, now + self.args.byte_interval)

    def on_readable(self, conn, now):
        try:
            data = conn.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            return self.close(conn, True, now)
        conn.inbox += data
        if conn.kind == "idle" and not conn.answered:
            end = conn.inbox.find(b"\r\n\r\n")
            if end < 0:
                return
            length = 0
            for line in conn.inbox[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(conn.inbox) < end + 4 + length:
                return
            conn.answered = True
            conn.since = now  # the idle timeout runs from the answer
            conn.inbox = b""
            return
        # Anything else is an answer the server volunteered (e.g. a 408 before closing).
        status = conn.inbox[9:12].decode("ascii", "replace") if len(conn.inbox) >= 12 else "?"
        answers = self.stats[conn.kind]["answers"]
        answers[status] = answers.get(status, 0) + 1
        conn.inbox = b""

    def everyone_ready(self):
        if len(self.conns) < self.args.slowloris + self.args.idle:
            return False
        return all(c.connected and (c.kind != "idle" or c.answered) for c in self.conns.values())

    def run(self):
        start = time.monotonic()
        self.deadline = start + self.args.hold
        wanted = [("slowloris", self.args.slowloris), ("idle", self.args.idle)]
        # Open in batches, so the listen backlog is not flooded; slow-loris spread over --ramp
        # seconds when asked (else they all time out, and are replaced, at the same moment).
        due = collections.deque()
        for kind, count in wanted:
            for i in range(count):
                ramp = self.args.ramp if kind == "slowloris" else 0
                due.append((start + ramp * i / max(1, count), kind))
        due = collections.deque(sorted(due))
        while time.monotonic() < self.deadline:
            opened = 0
            while due and due[0][0] <= time.monotonic() and opened < 100:
                self.open(due.popleft()[1])
                opened += 1
            self.poll(0.01 if due else 0.05)
            now = time.monotonic()
            if self.ready_at is None and self.everyone_ready():
                self.ready_at = now
                if self.args.ready_file:
                    with open(self.args.ready_file, "w") as f:
                        f.write(f"{now - start:.1f}\n")
            if self.ready_at is not None:
                self.min_held = self.held if self.min_held is None else min(self.min_held, self.held)
            if self.args.sends_file and now - self.sends_written_at >= 0.2:
                self.sends_written_at = now
                with open(self.args.sends_file + ".tmp", "w") as f:
                    f.write(f"{self.slow_sends}\n")
                os.replace(self.args.sends_file + ".tmp", self.args.sends_file)
        for conn in list(self.conns.values()):
            self.selector.unregister(conn.sock)
            conn.sock.close()
        return start

    def poll(self, timeout):
        now = time.monotonic()
        if self.sends:
            timeout = max(0.0, min(timeout, self.sends[0][0] - now))
        for key, events in self.selector.select(timeout):
            conn = key.data
            if conn.sock.fileno() not in self.conns:
                continue
            now = time.monotonic()
            if not conn.connected:
                self.on_connected(conn, now)
            else:
                self.on_readable(conn, now)
        now = time.monotonic()
        while self.sends and self.sends[0][0] <= now:
            _, _, fd, conn = heapq.heappop(self.sends)
            if self.conns.get(fd) is conn:
                self.send_slow(conn, now)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--slowloris", type=int, default=1000)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--hold", type=float, default=75.0, help="seconds to keep them up")
    parser.add_argument("--byte-interval", type=float, default=1.0)
    parser.add_argument("--bytes", type=int, default=3, help="bytes per slow send")
    parser.add_argument("--ramp", type=float, default=0.0,
                        help="seconds over which to open the slow-loris connections")
    parser.add_argument("--ready-file")
    parser.add_argument("--sends-file",
                        help="kept holding the count of slow-loris sends so far (every 0.2 s)")
    args = parser.parse_args()
    abuser = Abuser(args)
    start = abuser.run()
    report = {"slow_sends": abuser.slow_sends, "ready_after_s": None if abuser.ready_at is None else round(abuser.ready_at - start, 1),
              "min_held_after_ready": abuser.min_held}
    for kind, s in abuser.stats.items():
        lifetimes = sorted(s.pop("lifetimes"))
        s["lifetime_s"] = None if not lifetimes else {
            "min": round(lifetimes[0], 2), "median": round(statistics.median(lifetimes), 2),
            "max": round(lifetimes[-1], 2)}
        report[kind] = s
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

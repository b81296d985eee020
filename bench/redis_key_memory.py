#!/usr/bin/env python3
"""Redis memory by kind of key under a prefix, and a full SCAN (which drops expired keys).

Usage: redis_key_memory.py PORT PREFIX [REDEMPTIONS]
SCANs every key under PREFIX on 127.0.0.1:PORT (COUNT 1000; Redis deletes the expired keys a
SCAN touches), groups them by kind (the name after PREFIX up to the first ':'), and sums
`MEMORY USAGE key SAMPLES 0` over at most 200 keys of each kind picked at random, scaled to
the kind's count when it has more ("~" marks those). Prints one line per kind (keys, bytes,
bytes per redemption when REDEMPTIONS is given), largest first, then the total.
Python standard library only.
"""
import collections
import random
import socket
import sys

SAMPLE = 200


class Redis:
    """Just enough RESP for pipelined commands."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def send(self, commands):
        out = bytearray()
        for args in commands:
            out += b"*%d\r\n" % len(args)
            for a in args:
                a = a if isinstance(a, bytes) else str(a).encode()
                out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return [self.reply() for _ in commands]

    def line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(65536)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def reply(self):
        line = self.line()
        kind, rest = line[:1], line[1:]
        if kind in (b"+", b"-"):
            return rest
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(65536)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if kind == b"*":
            return [self.reply() for _ in range(int(rest))]
        raise ValueError(line)


def main():
    port, prefix = int(sys.argv[1]), sys.argv[2].encode()
    redemptions = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    r = Redis(port)
    kinds = collections.defaultdict(list)
    cursor = b"0"
    while True:
        cursor, keys = r.send([["SCAN", cursor, "MATCH", prefix + b"*", "COUNT", 1000]])[0]
        for key in keys:
            kinds[key[len(prefix):].split(b":", 1)[0].decode(errors="replace")].append(key)
        if cursor == b"0":
            break
    rows = []
    for kind, keys in kinds.items():
        sample = random.sample(keys, min(SAMPLE, len(keys)))
        sizes = r.send([["MEMORY", "USAGE", k, "SAMPLES", 0] for k in sample])
        measured = sum(s or 0 for s in sizes)
        rows.append((measured * len(keys) / len(sample), kind, len(keys), len(keys) > len(sample)))
    total = 0
    for size, kind, count, scaled in sorted(rows, reverse=True):
        total += size
        per = f" | {size / redemptions:8.0f} B per redemption" if redemptions else ""
        mark = "~" if scaled else " "
        print(f"  {kind:<12} {count:>9} keys {mark}{size:>12,.0f} B{per}")
    per = f" | {total / redemptions:8.0f} B per redemption" if redemptions else ""
    print(f"  {'all':<12} {sum(len(k) for k in kinds.values()):>9} keys  {total:>12,.0f} B{per}")


if __name__ == "__main__":
    main()

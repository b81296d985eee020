#!/usr/bin/env python3
"""What a store's live redemptions cost a create, by its bucket count.

Usage:
  redis_buckets.py fill PORT DIR BUCKETS PREFIX LIVE
      Restarts the redis-server from DIR's dump.rdb and writes LIVE live orders and shoppers'
      counts into the buckets of the store under PREFIX, of BUCKETS buckets (see below).
  redis_buckets.py PORT DIR CALLS ROUNDS STORES LIVE...
      PORT, DIR: a redis-server on 127.0.0.1:PORT (no AOF) whose data directory DIR holds a
      dump.rdb of one store per bucket count, each with offers and no redemption yet. STORES:
      comma-separated BUCKETS:PREFIX:CALL, a store's bucket count, its key prefix and a file of
      its create call's arguments, each followed by a NUL byte, with __rand_int__ in place of
      the shopper, order, Idempotency-Key and redemption id (bench/lib.sh,
      capture_create_call). For each count of LIVE redemptions, and for each store in turn (so
      that the machine's drift falls on every count alike): restarts the redis-server from
      DIR's dump.rdb, writes that many live orders and shoppers' counts into the store's
      buckets as its create writes them (ob:<bucket>, sb:<bucket>; the rest of a redemption is
      left out: it does not depend on the buckets), reads the memory they take (used_memory
      before and after), then ROUNDS times replays the call CALLS times with redis-benchmark
      (each run adds CALLS live redemptions) and reads the usec_per_call of FCALL (INFO
      commandstats). Prints one line per count and store: the least of the runs, then each.
Python standard library only.
"""
import hashlib
import subprocess
import sys

from redis_create_parts import cli, library_code, restart, usec_per_call

DIGITS = {4096: 3, 65536: 4, 1048576: 5}
US = '\x1f'
# An offer id as the gateway makes them, "o_" and 16 characters (what a shopper's counts name).
OFFER = 'o:o_' + 'x' * 16


def resp(*args):
    out = [b'*%d\r\n' % len(args)]
    for arg in args:
        data = arg.encode()
        out.append(b'$%d\r\n%s\r\n' % (len(data), data))
    return b''.join(out)


def fill(port, prefix, digits, live):
    """Writes `live` live orders and as many shoppers' counts, one of each a redemption."""
    pipe = subprocess.Popen(['redis-cli', '-p', str(port), '--pipe'], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL)
    chunk = []
    for i in range(live):
        order = f'shop-{i % 100}{US}order-live-{i:09d}'
        shopper = f'shopper-live-{i:09d}'
        counts = US.join(['p', '1', f'm:shop-{i % 100}', '1', OFFER, '1'])
        # A redemption id as the gateway makes them: "r_" and 16 characters.
        for kind, field, value in (('ob', order, f'r_{i:016d}'), ('sb', shopper, counts)):
            bucket = hashlib.sha1(field.encode()).hexdigest()[:digits]
            chunk.append(resp('HSET', f'{prefix}{kind}:{bucket}', field, value))
        if len(chunk) >= 20000:
            pipe.stdin.write(b''.join(chunk))
            chunk = []
    pipe.stdin.write(b''.join(chunk))
    pipe.stdin.close()
    if pipe.wait() != 0:
        sys.exit('redis-cli --pipe failed')


def used_memory(port):
    for line in cli(port, 'INFO', 'memory').decode().splitlines():
        if line.startswith('used_memory:'):
            return int(line.split(':')[1])
    sys.exit('no used_memory in INFO memory')


def main():
    if len(sys.argv) == 7 and sys.argv[1] == 'fill':
        port, directory, buckets, prefix, live = sys.argv[2:]
        restart(int(port), directory)
        fill(int(port), prefix, DIGITS[int(buckets)], int(live))
        return
    if len(sys.argv) < 7:
        sys.exit(__doc__)
    port, directory = int(sys.argv[1]), sys.argv[2]
    calls, rounds = int(sys.argv[3]), int(sys.argv[4])
    stores = []
    for spec in sys.argv[5].split(','):
        buckets, prefix, call_file = spec.split(':', 1)[0], *spec.split(':', 1)[1].rsplit(':', 1)
        if int(buckets) not in DIGITS:
            sys.exit(f'a store has 4096, 65536 or 1048576 buckets, not {buckets}')
        call = [a.decode() for a in open(call_file, 'rb').read().split(b'\0')[:-1]]
        stores.append((int(buckets), prefix, call))
    for live in (int(n) for n in sys.argv[6:]):
        for buckets, prefix, call in stores:
            restart(port, directory)
            code = library_code(port)
            before = used_memory(port)
            fill(port, prefix, DIGITS[buckets], live)
            bytes_each = (used_memory(port) - before) / live if live else 0.0
            runs = [usec_per_call(port, code, call, calls) for _ in range(rounds)]
            print(f'{buckets:>9,} {live:>11,} {live / buckets:>12.1f} {bytes_each:>14.1f} '
                  f'{min(runs):>12.1f}   {" ".join(f"{v:.1f}" for v in runs)}', flush=True)

if __name__ == '__main__':
    main()

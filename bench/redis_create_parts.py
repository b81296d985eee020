#!/usr/bin/env python3
"""What each part of the Redis store's create costs Redis, by taking it out.

Usage:
  redis_create_parts.py PORT DIR CALL CALLS ROUNDS
      PORT, DIR: a redis-server on 127.0.0.1:PORT (no AOF) whose data directory DIR holds a
      dump.rdb of the store to start from (offers loaded); CALL: a file of the create call's
      arguments, each followed by a NUL byte, with __rand_int__ in place of the shopper, order,
      Idempotency-Key and redemption id (bench/lib.sh, capture_create_call). Reads the store's
      library as Redis holds it (FUNCTION LIST WITHCODE), then per round, for the library whole
      and for each variant below: restarts the redis-server from DIR's dump.rdb (the same data
      every time), loads the variant over the library (FUNCTION LOAD REPLACE), replays the call
      CALLS times with redis-benchmark (20 clients) and reads the usec_per_call of FCALL (INFO
      commandstats). Prints the least of the ROUNDS runs of each (what the machine's other work
      adds to a run only ever raises it), and what taking the part out saved.

A variant takes one part of `create` out, found by its exact text in the library; when the
library no longer holds that text the tool says which part and exits 1, so that it is updated
with the library rather than measuring something else. The variants are for measuring only:
their stores are wrong (no event, no counters, ...). Python standard library only.
"""
import subprocess
import sys
import time

EARLY = "  if true then return {'ok', '', '', '', '', 'created'} end\n"

# (what is taken out, then per place: the library's text, what stands in its place)
VARIANTS = [
    ('every check and write (the call alone)', "local function create()\n",
     "local function create()\n" + EARLY),
    ('every write (the checks alone)',
     "  if redis.call('HSETNX', key('rec'), id, record) == 0 then",
     EARLY + "  if redis.call('HSETNX', key('rec'), id, record) == 0 then"),
    ('the record (rec)', "  if redis.call('HSETNX', key('rec'), id, record) == 0 then",
     "  if false then"),
    ('the lifetime amount (amount: GET, INCRBY)',
     "  if exceeds(redis.call('GET', key('amount')) or '0', ARGV[13], MAX_LIFETIME_HIGH,\n"
     "             MAX_LIFETIME_LOW) then", "  if false then",
     "  redis.call('INCRBY', key('amount'), ARGV[13])\n", ''),
    ('the event (ev)', "  add_event(true, redemption_event(status), ARGV[11], merchant, id)\n",
     ''),
    ("the offer's counters (o:<id>)",
     "      count_use(ARGV[i], used[i], day_field, ARGV[i + 2], ARGV[i + 3], id, ARGV[11])\n",
     ''),
    ("the shopper's counts (sb:<bucket>)",
     "  write_counts(counts_place, shopper_fields, counted)\n", ''),
    ('the live order (ob:<bucket>)', "  redis.call('HSET', orders_key, order_field, id)\n", ''),
    ('the ledger (RPUSH)', "  redis.call('RPUSH', key('ledger'), id)\n", ''),
    ('the idempotency record (i:<scope>)',
     "    redis.call('SET', idem_key, fingerprint .. US .. id .. US .. ARGV[2] .. US .. ARGV[10],\n"
     "               'PX', ARGV[3])", ''),
    ('the change log entry (log)', "  local previous, entry = append('c', id, 'r', record)\n",
     "  local previous, entry = '', ''\n"),
]


def cli(port, *args, stdin=None):
    """redis-cli's raw output of one command (exits on failure)."""
    return subprocess.run(['redis-cli', '-p', str(port), '--raw', *args], input=stdin,
                          check=True, capture_output=True).stdout


def library_code(port):
    # With --raw, the library's fields print one a line, its code last, after "library_code".
    raw = cli(port, 'FUNCTION', 'LIST', 'WITHCODE').decode()
    marker = '\nlibrary_code\n'
    if marker not in raw:
        sys.exit('no function library in this Redis: start a gateway on it first')
    return raw[raw.index(marker) + len(marker):].removesuffix('\n')


def restart(port, directory):
    subprocess.run(['redis-cli', '-p', str(port), 'shutdown', 'nosave'], capture_output=True)
    for _ in range(100):
        if subprocess.run(['redis-cli', '-p', str(port), 'ping'],
                          capture_output=True).returncode != 0:
            break
        time.sleep(0.05)
    subprocess.run(['redis-server', '--port', str(port), '--bind', '127.0.0.1', '--dir',
                    directory, '--save', '', '--appendonly', 'no', '--daemonize', 'yes',
                    '--pidfile', directory + '/redis.pid', '--logfile',
                    directory + '/redis.log'], check=True, capture_output=True)
    for _ in range(200):
        if subprocess.run(['redis-cli', '-p', str(port), 'ping'],
                          capture_output=True).stdout.strip() == b'PONG':
            return
        time.sleep(0.05)
    sys.exit(f'redis-server did not come back on port {port}')


def usec_per_call(port, code, call, calls):
    cli(port, '-x', 'FUNCTION', 'LOAD', 'REPLACE', stdin=code.encode())
    cli(port, 'CONFIG', 'RESETSTAT')
    subprocess.run(['redis-benchmark', '-p', str(port), '-c', '20', '-n', str(calls), '-r',
                    '1000000000', '-q'] + call, check=True, capture_output=True)
    for line in cli(port, 'INFO', 'commandstats').decode().splitlines():
        if line.startswith('cmdstat_fcall:'):
            return float(line.split('usec_per_call=')[1].split(',')[0])
    sys.exit('no FCALL in INFO commandstats: the replay did not run')


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    port, directory, call_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    calls, rounds = int(sys.argv[4]), int(sys.argv[5])
    call = [a.decode() for a in open(call_file, 'rb').read().split(b'\0')[:-1]]
    whole = library_code(port)
    codes = [('nothing (the whole create)', whole)]
    for label, *places in VARIANTS:
        code = whole
        for text, stand_in in zip(places[::2], places[1::2]):
            if text not in code:
                sys.exit(f'the library no longer holds the text of "{label}": update VARIANTS '
                         f'in {sys.argv[0]}')
            code = code.replace(text, stand_in, 1)
        codes.append((label, code))
    figures = {label: [] for label, _ in codes}
    for _ in range(rounds):
        for label, code in codes:
            restart(port, directory)
            figures[label].append(usec_per_call(port, code, call, calls))
    restart(port, directory)
    cli(port, '-x', 'FUNCTION', 'LOAD', 'REPLACE', stdin=whole.encode())
    base = min(figures[codes[0][0]])
    print(f'{"taken out of create":<46} {"µs a call (least)":>18} {"saved":>8}   runs')
    for label, _ in codes:
        least = min(figures[label])
        runs = ' '.join(f'{v:.1f}' for v in figures[label])
        saved = '' if label == codes[0][0] else f'{base - least:.1f}'
        print(f'{label:<46} {least:>18.1f} {saved:>8}   {runs}')


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Reads the output of `redis-cli MONITOR`: the commands clients sent, not those scripts ran.

Usage:
  monitor_calls.py count FILE
      One line per kind of command a client sent ("kind calls"), most frequent first. A
      script or function call is named by its command and operation, the first argument
      after the keys: "evalsha <op>", "fcall <op>". Lines whose client is `lua` (commands a
      script ran inside Redis) are left out.
  monitor_calls.py argv FILE NEEDLE
      The arguments of the first EVALSHA / FCALL a client sent that holds NEEDLE in one of its
      arguments, each followed by a NUL byte (for `mapfile -d ''`); exit 1 when none does.
Python standard library only.
"""
import collections
import re
import sys

# MONITOR prints: 1700000000.123456 [0 127.0.0.1:41234] "cmd" "arg" ... (sdscatrepr quoting)
LINE = re.compile(rb'^\d+\.\d+ \[\d+ ([^\]]*)\] (.*)$')
TOKEN = re.compile(rb'"((?:[^"\\]|\\.)*)"')
ESCAPES = {b'n': b'\n', b'r': b'\r', b't': b'\t', b'a': b'\a', b'b': b'\b', b'\\': b'\\',
           b'"': b'"'}


def unquote(text):
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i:i + 1]
        if c != b'\\':
            out += c
            i += 1
        elif text[i + 1:i + 2] == b'x':
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            out += ESCAPES.get(text[i + 1:i + 2], text[i + 1:i + 2])
            i += 2
    return bytes(out)


def client_calls(path):
    """Yields the argument list of every command a client (not a script) sent."""
    with open(path, 'rb') as f:
        for line in f:
            m = LINE.match(line.rstrip(b'\r\n'))
            if m and m.group(1) != b'lua':
                yield [unquote(t) for t in TOKEN.findall(m.group(2))]


def kind(args):
    name = args[0].decode(errors='replace').lower()
    if name in ('evalsha', 'evalsha_ro', 'eval', 'eval_ro', 'fcall', 'fcall_ro') and len(args) > 2:
        first = 3 + int(args[2])
        return f"{name} {args[first].decode(errors='replace')}" if len(args) > first else name
    return name


def main():
    if len(sys.argv) == 3 and sys.argv[1] == 'count':
        counts = collections.Counter(kind(args) for args in client_calls(sys.argv[2]) if args)
        for name, calls in counts.most_common():
            print(name, calls)
    elif len(sys.argv) == 4 and sys.argv[1] == 'argv':
        needle = sys.argv[3].encode()
        for args in client_calls(sys.argv[2]):
            if args and args[0].lower() in (b'evalsha', b'fcall') and any(needle in a for a in args):
                sys.stdout.buffer.write(b''.join(a + b'\0' for a in args))
                return
        sys.exit(1)
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""The chaos harness's writer (run by .venv's python inside a client namespace): SETs fresh keys
`<prefix>:<n>` = `<n>` through redis-py's Sentinel support (`master_for`), paced at --rate per
second, for at most --seconds or --max-writes, or until --stop-file exists. Each SET is
pipelined with `CONFIG GET port`, so the node that acknowledged it is known (every host's
redis-server has its own port). One line per acknowledged write to --log:

    <n> <tab> <key> <tab> <port of the acknowledging node> <tab> <CLOCK_MONOTONIC ms of the ack>

and one line per failed write (`E <tab> <n> <tab> <error kind> <tab> <ms>`), so that a checker can
tell a stall from an error burst. Timeouts are 0.5 s (connect and read)."""

import argparse
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
from demo_writer import Pacer, acknowledging_port  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentinels", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--max-writes", type=int, default=200000)
    parser.add_argument("--log", required=True)
    parser.add_argument("--stop-file", required=True)
    args = parser.parse_args()
    from redis.sentinel import Sentinel

    timeouts = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    sentinels = [(a.rpartition(":")[0], int(a.rpartition(":")[2])) for a in args.sentinels.split(",")]
    master = Sentinel(sentinels, sentinel_kwargs=dict(timeouts), **timeouts).master_for("mymaster", **timeouts)
    out = open(args.log, "w", buffering=1)
    deadline = time.monotonic() + args.seconds
    pacer = Pacer(args.rate)
    n = 0
    while time.monotonic() < deadline and n < args.max_writes:
        if n % 25 == 0 and os.path.exists(args.stop_file):
            break
        n += 1
        key = f"{args.prefix}:{n}"
        try:
            port = acknowledging_port(master, key, n)
            now = time.monotonic()
            if port is not None:
                out.write(f"{n}\t{key}\t{port}\t{now * 1000:.1f}\n")
            else:
                out.write(f"E\t{n}\tNotOK\t{now * 1000:.1f}\n")
        except Exception as error:  # noqa: BLE001 - every failure is data
            kind = type(error).__name__
            text = str(error)
            if text.startswith("NOREPLICAS"):
                kind = "NOREPLICAS"
            elif text.startswith("READONLY"):
                kind = "READONLY"
            out.write(f"E\t{n}\t{kind}\t{time.monotonic() * 1000:.1f}\n")
        pacer.wait()
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

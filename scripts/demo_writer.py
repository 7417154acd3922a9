#!/usr/bin/env python3
"""The demo's writer: writes keys through redis-py's Sentinel support for a while and reports
how many writes were acknowledged.

    .venv/bin/python scripts/demo_writer.py --sentinels 127.0.0.1:26379,127.0.0.1:26380 \
        --master-name mymaster --seconds 5

Each write is a SET of a fresh key to the master that the sentinels name (master_for); a write
counts as acknowledged when the master answered OK. Errors (no master known yet, connection
refused during a failover) are counted and retried with the next key. Prints one line:
    writes acknowledged=N errors=M last-master=host:port
"""

import argparse
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentinels", required=True)
    parser.add_argument("--master-name", default="mymaster")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--interval", type=float, default=0.01, help="pause between writes")
    args = parser.parse_args()

    try:
        from redis.sentinel import Sentinel
    except ImportError as error:
        print(f"writer: redis-py is not importable ({error})", file=sys.stderr)
        return 3

    sentinels = []
    for item in args.sentinels.split(","):
        host, _, port = item.rpartition(":")
        sentinels.append((host, int(port)))
    sentinel = Sentinel(sentinels, socket_timeout=0.5, socket_connect_timeout=0.5)
    master = sentinel.master_for(args.master_name, socket_timeout=0.5, socket_connect_timeout=0.5)

    acknowledged = errors = 0
    last_master = "?"
    deadline = time.monotonic() + args.seconds
    sequence = 0
    while time.monotonic() < deadline:
        sequence += 1
        try:
            if master.set(f"demo:{sequence}", sequence):
                acknowledged += 1
                address = master.connection_pool.get_master_address()
                last_master = f"{address[0]}:{address[1]}"
            else:
                errors += 1
        except Exception:  # count it and go on: the demo reports availability, not exceptions
            errors += 1
        time.sleep(args.interval)
    print(f"writes acknowledged={acknowledged} errors={errors} last-master={last_master}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

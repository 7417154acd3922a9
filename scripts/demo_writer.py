#!/usr/bin/env python3
"""The demo's writer: writes keys through redis-py's Sentinel support for a while and reports
how many writes were acknowledged. Also used by the integration tests (FailoverTests).

    .venv/bin/python scripts/demo_writer.py --sentinels 127.0.0.1:26379,127.0.0.1:26380 \
        --master-name mymaster --seconds 5 [--acks-file acks.tsv] [--stop-file stop]

Each write is a SET of a fresh key `demo:<n>` to value `<n>` on the master that the sentinels
name (master_for). It is pipelined with `CONFIG GET port` on the same connection, so the
writer knows which server acknowledged it. A write counts as acknowledged when the server
answered OK. Errors (no master known yet, connection refused during a failover, a read-only
replica) are counted by kind and the writer goes on with the next key.

With --rate N the writes are paced at N per second (a schedule, not a sleep per write; after
a stall of more than 50 ms the schedule restarts instead of bursting to catch up); otherwise it
sleeps --interval between writes.

It stops after --seconds, after --max-writes attempts, or as soon as --stop-file exists,
whichever comes first. With --acks-file, one line per acknowledged write is written there:
    <n> <tab> <key> <tab> <port of the server that answered> <tab> <ms since the writer started>
        <tab> <CLOCK_MONOTONIC ms when the ack arrived, comparable across processes>
and at the end it prints one line:
    writes acknowledged=N errors=M last-master=host:port longest-stall=S.SSSs error-kinds=Kind:n,...
longest-stall is the longest time between two acknowledged writes (or from the start to the
first one).

Verify mode: `demo_writer.py --verify-acks acks.tsv --against 127.0.0.1:6379` reads the acks
file, checks every acknowledged key on that server (GET must return its value) and prints
    verified acknowledged=N present=P lost=L lost-by-port=port:n,...
"""

import argparse
import os
import sys
import time


def parse_address(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def credentials(username, password):
    """redis-py connection arguments for AUTH [username] password (none when no password)."""
    result = {}
    if password:
        result["password"] = password
        if username:
            result["username"] = username
    return result


def acknowledging_port(master, key, value):
    """SET key value, pipelined with `CONFIG GET port` on the same connection: the port of the
    server that acknowledged it, or None if it answered something other than OK. Errors raise."""
    pipe = master.pipeline(transaction=False)
    pipe.set(key, value)
    pipe.config_get("port")
    ok, config = pipe.execute()
    return config.get("port", "?") if ok else None


class Pacer:
    """`rate` ticks per second on a schedule (not a sleep per tick); after a stall of more than
    50 ms the schedule restarts instead of bursting to catch up."""

    def __init__(self, rate):
        self.interval = 1.0 / rate
        self.next_due = time.monotonic()

    def wait(self):
        self.next_due += self.interval
        delay = self.next_due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        elif delay < -0.05:
            self.next_due = time.monotonic()


def write(args):
    try:
        from redis.sentinel import Sentinel
    except ImportError as error:
        print(f"writer: redis-py is not importable ({error})", file=sys.stderr)
        return 3

    sentinels = [parse_address(item) for item in args.sentinels.split(",")]
    timeouts = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    # Sentinels with requirepass / ACL users: redis-py AUTHs on its sentinel connections (without
    # credentials, these sentinel_kwargs are the ones redis-py derives from `timeouts` itself).
    sentinel_kwargs = {**timeouts, **credentials(args.sentinel_username, args.sentinel_password)}
    sentinel = Sentinel(sentinels, sentinel_kwargs=sentinel_kwargs, **timeouts)
    master = sentinel.master_for(args.master_name, **timeouts, **credentials(args.username, args.password))

    acks = open(args.acks_file, "w", buffering=1) if args.acks_file else None
    acknowledged = errors = 0
    error_kinds = {}
    last_master = "?"
    start = time.monotonic()
    last_ack = start
    longest_stall = 0.0
    deadline = start + args.seconds
    sequence = 0
    pacer = Pacer(args.rate) if args.rate > 0 else None
    while time.monotonic() < deadline and (args.max_writes == 0 or sequence < args.max_writes):
        # Checking for the stop file costs a syscall: at a high rate, only every 50th write.
        if args.stop_file and sequence % 50 == 0 and os.path.exists(args.stop_file):
            break
        sequence += 1
        key = f"demo:{sequence}"
        try:
            port = acknowledging_port(master, key, sequence)
            if port is not None:
                now = time.monotonic()
                longest_stall = max(longest_stall, now - last_ack)
                last_ack = now
                acknowledged += 1
                last_master = f"127.0.0.1:{port}"
                if acks:
                    acks.write(f"{sequence}\t{key}\t{port}\t{int((now - start) * 1000)}\t{now * 1000:.1f}\n")
            else:
                errors += 1
                error_kinds["NotOK"] = error_kinds.get("NotOK", 0) + 1
        except Exception as error:  # count it and go on: the demo reports availability
            errors += 1
            kind = type(error).__name__
            error_kinds[kind] = error_kinds.get(kind, 0) + 1
        if pacer:
            pacer.wait()
        else:
            time.sleep(args.interval)
    # A writer that never got an ack, or stopped in an outage, stalled until its end.
    longest_stall = max(longest_stall, time.monotonic() - last_ack)
    if acks:
        acks.close()
    kinds = ",".join(f"{kind}:{count}" for kind, count in sorted(error_kinds.items())) or "none"
    print(
        f"writes acknowledged={acknowledged} errors={errors} last-master={last_master} "
        f"longest-stall={longest_stall:.3f}s error-kinds={kinds}"
    )
    return 0


def verify(args):
    try:
        import redis
    except ImportError as error:
        print(f"writer: redis-py is not importable ({error})", file=sys.stderr)
        return 3
    host, port = parse_address(args.against)
    client = redis.Redis(host=host, port=port, socket_timeout=5, socket_connect_timeout=5,
                         **credentials(args.username, args.password))
    entries = []
    with open(args.verify_acks) as acks:
        for line in acks:
            fields = line.rstrip("\n").split("\t")
            if len(fields) >= 3:
                entries.append((fields[0], fields[1], fields[2]))
    present = 0
    lost_by_port = {}
    for start in range(0, len(entries), 500):
        chunk = entries[start : start + 500]
        pipe = client.pipeline(transaction=False)
        for _, key, _ in chunk:
            pipe.get(key)
        for (value, key, ack_port), stored in zip(chunk, pipe.execute()):
            if stored is not None and stored.decode() == value:
                present += 1
            else:
                lost_by_port[ack_port] = lost_by_port.get(ack_port, 0) + 1
    lost = len(entries) - present
    by_port = ",".join(f"{p}:{n}" for p, n in sorted(lost_by_port.items())) or "none"
    print(f"verified acknowledged={len(entries)} present={present} lost={lost} lost-by-port={by_port}")
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentinels")
    parser.add_argument("--master-name", default="mymaster")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--max-writes", type=int, default=0, help="stop after this many attempts (0: no limit)")
    parser.add_argument("--interval", type=float, default=0.01, help="pause between writes")
    parser.add_argument("--rate", type=float, default=0, help="writes per second, paced (0: sleep --interval)")
    parser.add_argument("--acks-file", help="record every acknowledged write here")
    parser.add_argument("--stop-file", help="stop as soon as this file exists")
    parser.add_argument("--password", help="AUTH password for the data nodes (requirepass or the ACL user's)")
    parser.add_argument("--username", help="ACL user for the data nodes (with --password)")
    parser.add_argument("--sentinel-password", help="AUTH password for the sentinels (their requirepass)")
    parser.add_argument("--sentinel-username", help="ACL user for the sentinels (with --sentinel-password)")
    parser.add_argument("--verify-acks", help="verify mode: the acks file to check")
    parser.add_argument("--against", help="verify mode: host:port of the server to check")
    args = parser.parse_args()
    if args.verify_acks:
        if not args.against:
            parser.error("--verify-acks needs --against host:port")
        return verify(args)
    if not args.sentinels:
        parser.error("--sentinels is required")
    return write(args)


if __name__ == "__main__":
    sys.exit(main())

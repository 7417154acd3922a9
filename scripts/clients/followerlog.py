"""The log every client-compatibility follower writes (python_follower.py here; the Go, Ruby and
redis-cli followers write the same lines), one JSON object a line, each with "event" and "t"
(milliseconds on the follower's monotonic clock):

    {"event": "discovered", "via": "127.0.0.1:26379" | "all", "master": "127.0.0.1:6379",
     "replicas": ["127.0.0.1:6380", ...]}
    {"event": "readback", "port": 6379, "master_read": true, "replica_read": true}
    {"event": "client", "description": "redis-py 8.1.0 sync protocol=3 parser=_RESP3Parser"}
    {"event": "subscribed", "sentinel": "127.0.0.1:26379"}
    {"event": "switch", "sentinel": "127.0.0.1:26379", "message": "mymaster 127.0.0.1 6379 127.0.0.1 6380"}
        (go-redis v5, from its own subscription: "new_master": "127.0.0.1:6380" instead of "message")
    {"event": "ack", "key": "cc:redis-py:17", "value": "17", "port": 6380}
    {"event": "error", "kind": "ConnectionError", "detail": "...", "where": "write"}
    {"event": "fatal", "detail": "..."}
    {"event": "summary", "acks": 1234, "errors": 5, "acks_by_port": {"6379": 600, ...}}

The follower stops when --stop-file exists or after --seconds, and prints the summary line.
"""

import contextlib
import json
import os
import time
import traceback


def parse_address(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def address(host, port):
    return f"{text(host)}:{int(text(port))}"


class FollowerLog:
    MAX_ERROR_LINES = 500

    @staticmethod
    def add_arguments(parser):
        parser.add_argument("--sentinels", required=True, help="comma-separated host:port list")
        parser.add_argument("--master-name", default="mymaster")
        parser.add_argument("--log", required=True, help="the JSON-lines log to write")
        parser.add_argument("--stop-file", help="stop writing as soon as this file exists")
        parser.add_argument("--seconds", type=float, default=60.0, help="stop writing after this long")
        parser.add_argument("--interval", type=float, default=0.02, help="pause between writes")
        parser.add_argument("--prefix", default="cc", help="key prefix, unique per follower")

    def __init__(self, args):
        self.args = args
        self.start = time.monotonic()
        self.deadline = self.start + args.seconds
        self.file = open(args.log, "a", buffering=1)
        self.acks = self.errors = self.sequence = self.subscribed = 0
        self.acks_by_port = {}
        self.failed = False

    def event(self, event_name, **fields):
        record = {"event": event_name, "t": int((time.monotonic() - self.start) * 1000), **fields}
        self.file.write(json.dumps(record) + "\n")

    def discovered(self, via, master, replicas):
        self.event("discovered", via=via, master=address(*master),
                   replicas=sorted(address(*replica) for replica in replicas))

    def error(self, error, where):
        self.errors += 1
        if self.errors <= self.MAX_ERROR_LINES:
            self.event("error", kind=type(error).__name__, detail=str(error)[:200], where=where)

    def switch(self, where, message):
        if text(message.get("type", "message")) == "message":
            self.event("switch", sentinel=where, channel=text(message["channel"]), message=text(message["data"]))

    def ack(self, key, value, port):
        port = int(text(port))
        self.acks += 1
        self.acks_by_port[str(port)] = self.acks_by_port.get(str(port), 0) + 1
        self.event("ack", key=key, value=value, port=port)

    def next_key(self):
        self.sequence += 1
        return f"{self.args.prefix}:{self.sequence}", str(self.sequence)

    def should_stop(self):
        stop = self.args.stop_file and os.path.exists(self.args.stop_file)
        return stop or time.monotonic() >= self.deadline

    def _readback_event(self, port, value, from_master, from_replica):
        self.event("readback", port=int(text(port)), master_read=text(from_master) == value,
                   replica_read=from_replica is not None and text(from_replica) == value)

    def readback(self, write, get_master, get_replica, sleep):
        """Writes one key, reads it back from the master client and (once replicated, within
        5 s) from the replica client."""
        key, value = f"{self.args.prefix}:readback", "readback"
        _, port = write(key, value)
        from_master = get_master(key)
        from_replica = None
        for _ in range(100):
            from_replica = get_replica(key)
            if from_replica is not None and text(from_replica) == value:
                break
            sleep(0.05)
        self._readback_event(port, value, from_master, from_replica)

    async def areadback(self, write, get_master, get_replica):
        import asyncio
        key, value = f"{self.args.prefix}:readback", "readback"
        _, port = await write(key, value)
        from_master = await get_master(key)
        from_replica = None
        for _ in range(100):
            from_replica = await get_replica(key)
            if from_replica is not None and text(from_replica) == value:
                break
            await asyncio.sleep(0.05)
        self._readback_event(port, value, from_master, from_replica)

    def loop(self, write, poll, sleep):
        while not self.should_stop():
            poll()
            key, value = self.next_key()
            try:
                ok, port = write(key, value)
                if ok:
                    self.ack(key, value, port)
                else:
                    self.error(RuntimeError(f"SET answered {ok!r}"), where="write")
            except Exception as error:  # the library is expected to recover by itself
                self.error(error, where="write")
            sleep(self.args.interval)
        poll()

    async def aloop(self, write):
        import asyncio
        while not self.should_stop():
            key, value = self.next_key()
            try:
                ok, port = await write(key, value)
                if ok:
                    self.ack(key, value, port)
                else:
                    self.error(RuntimeError(f"SET answered {ok!r}"), where="write")
            except Exception as error:
                self.error(error, where="write")
            await asyncio.sleep(self.args.interval)
        await asyncio.sleep(0.1)  # late +switch-master messages

    async def wait_subscribed(self, count, timeout=10.0):
        """Waits until `count` subscriptions were logged (by listener tasks)."""
        import asyncio
        deadline = time.monotonic() + timeout
        while self.count_logged("subscribed") < count and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    def count_logged(self, kind):
        with open(self.args.log) as log:
            return sum(1 for line in log if f'"event": "{kind}"' in line)

    @contextlib.contextmanager
    def guard(self):
        """Logs an exception that escapes the follower as "fatal" instead of raising it."""
        try:
            yield
        except BaseException as error:  # noqa: B902  (KeyboardInterrupt too: the log must say why)
            self.failed = True
            detail = f"{type(error).__name__}: {error}"
            for inner in getattr(error, "exceptions", []):  # an ExceptionGroup from a task group
                detail += f" [{type(inner).__name__}: {inner}]"
            self.event("fatal", detail=detail, trace=traceback.format_exc()[-3000:])

    def finish(self):
        self.event("summary", acks=self.acks, errors=self.errors, acks_by_port=self.acks_by_port)
        ports = ",".join(f"{port}:{count}" for port, count in sorted(self.acks_by_port.items())) or "none"
        print(f"summary acks={self.acks} errors={self.errors} acks-by-port={ports} failed={self.failed}")
        self.file.close()
        return 1 if self.failed else 0

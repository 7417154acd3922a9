"""Shared pieces of the benchmarks in bench/: free loopback ports, processes that are always
killed on exit, a tiny RESP client, bounded waits, and the standard topology (a real
redis-server master with two replicas and three sentinels on 127.0.0.1, quorum 2)."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REDIS_SENTINEL = "/usr/bin/redis-sentinel"
PROCS = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(args, log):
    p = subprocess.Popen(args, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
    PROCS.append(p)
    return p


def cleanup():
    """Kills every process started with spawn() and waits for it (bounded)."""
    for p in PROCS:
        if p.poll() is None:
            try:
                p.kill()
            except OSError:
                pass
    for p in PROCS:
        try:
            p.wait(timeout=5)
        except Exception:
            pass
    PROCS.clear()


def encode(*args):
    return (f"*{len(args)}\r\n" + "".join(f"${len(str(a).encode())}\r\n{a}\r\n" for a in args)).encode()


def command(port, *args, timeout=1.0):
    """One RESP command over a fresh connection; returns the parsed reply (errors as Exception)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(encode(*args))
        return read_reply(s.makefile("rb"))


def pipeline(port, commands, timeout=10.0):
    """Sends all commands (lists of words) on one connection, then reads every reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"".join(encode(*c) for c in commands))
        f = s.makefile("rb")
        return [read_reply(f) for _ in commands]


def read_reply(f):
    line = f.readline()
    if not line:
        raise ConnectionError("closed")
    kind, rest = line[:1], line[1:-2].decode()
    if kind == b"+":
        return rest
    if kind == b"-":
        return Exception(rest)
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        return f.read(n + 2)[:-2].decode()
    if kind == b"*":
        n = int(rest)
        if n < 0:
            return None
        return [read_reply(f) for _ in range(n)]
    raise ValueError(f"unexpected reply {line!r}")


def info(port, section):
    """INFO <section> as a dict."""
    text = command(port, "INFO", section)
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def wait_until(predicate, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if predicate():
                return
        except (OSError, ConnectionError, ValueError):
            pass
        time.sleep(0.01)
    raise TimeoutError(what)


def build_release():
    print("building swift-sentinel (release)...", flush=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "swift-sentinel"], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(REPO, ".build", "release", "swift-sentinel")


def machine():
    return f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, {os.uname().release}"


class Topology:
    """A master, two replicas and three sentinels in a temporary directory; close() kills them
    and removes the directory."""

    def __init__(self, sentinel_binary, down_after=1000, failover_timeout=10000, prefix="bench-"):
        self.work = tempfile.mkdtemp(prefix=prefix)
        ports = [free_port() for _ in range(3)]
        self.master, self.replicas = ports[0], ports[1:]
        self.redis = {}
        for i, port in enumerate(ports):
            args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--dir", self.work, "--dbfilename", f"d{port}.rdb", "--repl-diskless-sync-delay", "0"]
            if i > 0:
                args += ["--replicaof", "127.0.0.1", str(self.master)]
            self.redis[port] = spawn(args, os.path.join(self.work, f"redis-{port}.log"))
        wait_until(lambda: "connected_slaves:2" in command(self.master, "INFO", "replication"), 20, "replicas online")
        self.sentinels = [free_port() for _ in range(3)]
        for port in self.sentinels:
            conf = os.path.join(self.work, f"sentinel-{port}.conf")
            with open(conf, "w") as c:
                c.write(f"port {port}\nbind 127.0.0.1\ndir {self.work}\n"
                        f"sentinel monitor mymaster 127.0.0.1 {self.master} 2\n"
                        f"sentinel down-after-milliseconds mymaster {down_after}\n"
                        f"sentinel failover-timeout mymaster {failover_timeout}\n")
            spawn([sentinel_binary, conf], os.path.join(self.work, f"sentinel-{port}.log"))

    def wait_settled(self, timeout=30):
        """Until every sentinel knows both replicas and both peers."""
        def settled():
            for port in self.sentinels:
                m = command(port, "SENTINEL", "MASTER", "mymaster")
                fields = dict(zip(m[::2], m[1::2]))
                if fields.get("num-slaves") != "2" or fields.get("num-other-sentinels") != "2":
                    return False
            return True
        wait_until(settled, timeout, "sentinel discovery")

    def wait_all_answer_other_than(self, old_port, since, timeout=30):
        """Polls GET-MASTER-ADDR-BY-NAME on every sentinel every 2 ms until all name another
        port; returns (seconds from `since` until the last one did, new port) or None."""
        answered, new_port = {}, None
        end = time.monotonic() + timeout
        while time.monotonic() < end and len(answered) < len(self.sentinels):
            for port in self.sentinels:
                if port in answered:
                    continue
                try:
                    reply = command(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster", timeout=0.5)
                except (OSError, ConnectionError, ValueError):
                    continue
                if isinstance(reply, list) and reply[1] != str(old_port):
                    answered[port] = time.monotonic() - since
                    new_port = int(reply[1])
            time.sleep(0.002)
        if len(answered) < len(self.sentinels):
            return None
        return max(answered.values()), new_port

    def close(self, keep=False):
        cleanup()
        if keep:
            print(f"kept {self.work}", flush=True)
        else:
            shutil.rmtree(self.work, ignore_errors=True)


def venv_python():
    path = os.path.join(REPO, ".venv", "bin", "python")
    if not os.path.exists(path):
        sys.exit(f"{path} is missing: run scripts/demo or .ci/run once (they create .venv with redis-py)")
    return path

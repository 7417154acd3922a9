"""The chaos harness's laboratory: hosts as network namespaces on a private bridge, and the
cluster that runs on them.

Namespaces (all named `chaos-<pid>-*`, removed on exit and by the next run if a harness was
SIGKILLed):
  sw    holds only the bridge `br0`; every other namespace has one veth pair into it
  h1-h3 one host each: a redis-server (port 6371/6372/6373) and a sentinel (26379)
  cli   writer A (on the master's side of a partition)
  cli2  writer B (on the majority's side)
  obs   the observer: this harness itself (its main thread joins it with setns(2)) polls every
        node and sentinel from here; no fault ever touches its traffic
Addresses are 10.213.100.0/24 and exist only inside these namespaces: nothing is added to the
machine's own namespace (no address, no route, no rule), so no traffic can leave them. Faults
are nftables rules inside the host namespaces (table `inet chaos`), which disappear with them.
Sentinels run as uid 65534 so that a rule can single out a sentinel's own traffic
(`meta skuid`, conntrack marks) from its host's redis-server.
"""

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench"))
from benchlib import encode, fields, read_reply, rss_kb, spawn, stop, wait_until  # noqa: E402

import socket  # noqa: E402

SUBNET = "10.213.100"
HOSTS = {"h1": 11, "h2": 12, "h3": 13}
CLIENTS = {"cli": 21, "cli2": 22}
OBSERVER = ("obs", 31)
REDIS_PORT = {"h1": 6371, "h2": 6372, "h3": 6373}
SENTINEL_PORT = 26379
SENTINEL_UID = 65534
PREFIX = f"chaos-{os.getpid()}"
CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def ip_of(name):
    number = HOSTS.get(name) or CLIENTS.get(name) or (OBSERVER[1] if name == OBSERVER[0] else None)
    return f"{SUBNET}.{number}"


def sh(args, input=None, check=True, timeout=20):
    r = subprocess.run(args, input=input, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns({path})")
    finally:
        os.close(fd)


def remove_stale():
    """Namespaces of chaos harnesses that are no longer running."""
    listed = sh(["ip", "netns", "list"], check=False).stdout
    for line in listed.splitlines():
        name = line.split(" ")[0]
        if not name.startswith("chaos-"):
            continue
        try:
            pid = int(name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        sh(["ip", "netns", "del", name], check=False)


class Lab:
    """The namespaces and the bridge; `close()` removes everything (idempotent)."""

    def __init__(self, work):
        self.work = work
        self.names = []
        self.mounts = []
        self.closed = False
        self.root_ns = os.open("/proc/self/ns/net", os.O_RDONLY)
        remove_stale()
        try:
            self._create()
        except BaseException:
            self.close()
            raise

    def ns(self, name):
        return f"{PREFIX}-{name}"

    def _create(self):
        sw = self.ns("sw")
        self._add(sw)
        sh(["ip", "-n", sw, "link", "add", "br0", "type", "bridge"])
        sh(["ip", "-n", sw, "link", "set", "br0", "up"])
        members = list(HOSTS) + list(CLIENTS) + [OBSERVER[0]]
        for i, name in enumerate(members):
            ns = self.ns(name)
            self._add(ns)
            a, b = f"cx{os.getpid() % 100000}{i}a", f"cx{os.getpid() % 100000}{i}b"
            # Created inside the switch namespace, so no interface ever exists in the machine's own.
            sh(["ip", "-n", sw, "link", "add", a, "type", "veth", "peer", "name", "eth0", "netns", ns])
            sh(["ip", "-n", sw, "link", "set", a, "master", "br0"])
            sh(["ip", "-n", sw, "link", "set", a, "up"])
            sh(["ip", "-n", ns, "addr", "add", f"{ip_of(name)}/24", "dev", "eth0"])
            sh(["ip", "-n", ns, "link", "set", "eth0", "up"])
            sh(["ip", "-n", ns, "link", "set", "lo", "up"])
        # Join the observer namespace (this thread and every thread or process started from it).
        setns(f"/run/netns/{self.ns(OBSERVER[0])}")

        def reachable():
            for h in HOSTS:
                with socket.socket() as s:
                    s.settimeout(0.2)
                    try:
                        s.connect((ip_of(h), 9))
                    except ConnectionRefusedError:
                        continue  # an RST: the address answers
                    except OSError:
                        return False
            return True
        wait_until(reachable, 10, "the hosts answer on the bridge", interval=0.05)

    def _add(self, name):
        sh(["ip", "netns", "add", name])
        self.names.append(name)

    def nft(self, host, script):
        sh(["ip", "netns", "exec", self.ns(host), "nft", "-f", "-"], input=script)

    def clear_rules(self, hosts=None):
        for h in hosts or list(HOSTS) + list(CLIENTS):
            sh(["ip", "netns", "exec", self.ns(h), "nft", "delete", "table", "inet", "chaos"], check=False)

    def mount_tmpfs(self, path, size):
        os.makedirs(path, exist_ok=True)
        sh(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "chaos-tmpfs", path])
        self.mounts.append(path)

    def umount(self, path):
        if path in self.mounts:
            sh(["umount", "-l", path], check=False)
            self.mounts.remove(path)

    def close(self):
        if self.closed:
            return
        self.closed = True
        try:
            setns("/proc/self/fd/%d" % self.root_ns)
        except OSError:
            pass
        for path in list(self.mounts):
            self.umount(path)
        for name in reversed(self.names):
            sh(["ip", "netns", "del", name], check=False)
        self.names = []


# ---------------------------------------------------------------------------------------------
# RESP over the bridge


def command(host, port, *args, timeout=1.0):
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(encode(*args))
        return read_reply(s.makefile("rb"))


def pipeline(host, port, commands, timeout=10.0):
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(b"".join(encode(*c) for c in commands))
        f = s.makefile("rb")
        return [read_reply(f) for _ in commands]


def info(host, port, section, timeout=1.0):
    text = command(host, port, "INFO", section, timeout=timeout)
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


# ---------------------------------------------------------------------------------------------
# The cluster of one run


class Cluster:
    """Three hosts, each a redis-server and a sentinel of one implementation; h1 is the master.
    `killed` holds the pids this harness killed or stopped on purpose (not crashes)."""

    def __init__(self, lab, binary, work, down_after=1000, failover_timeout=10000, min_replicas=None,
                 tmpfs_size=None):
        self.lab, self.binary, self.work = lab, binary, work
        self.down_after, self.failover_timeout = down_after, failover_timeout
        self.procs, self.redis, self.sentinel = [], {}, {}
        self.killed = set()
        self.tmpfs = []
        os.makedirs(work, exist_ok=True)
        try:
            self._start(min_replicas, tmpfs_size)
        except BaseException:
            self.close()
            raise

    def addr(self, host):
        return (ip_of(host), REDIS_PORT[host])

    def sentinel_addr(self, host):
        return (ip_of(host), SENTINEL_PORT)

    def host_of_port(self, port):
        return next((h for h, p in REDIS_PORT.items() if p == int(port)), None)

    def conf_dir(self, host):
        return os.path.join(self.work, host, "sentinel")

    def conf_path(self, host):
        return os.path.join(self.conf_dir(host), "sentinel.conf")

    def _start(self, min_replicas, tmpfs_size):
        master_ip, master_port = self.addr("h1")
        for host in HOSTS:
            d = os.path.join(self.work, host)
            os.makedirs(d, exist_ok=True)
            args = ["redis-server", "--port", str(REDIS_PORT[host]), "--bind", ip_of(host), "--protected-mode", "no",
                    "--save", "", "--appendonly", "no", "--dir", d, "--dbfilename", "dump.rdb",
                    "--repl-diskless-sync-delay", "0"]
            if min_replicas:
                args += ["--min-replicas-to-write", str(min_replicas[0]), "--min-replicas-max-lag", str(min_replicas[1])]
            if host != "h1":
                args += ["--replicaof", master_ip, str(master_port)]
            self.redis[host] = spawn(["ip", "netns", "exec", self.lab.ns(host)] + args,
                                     os.path.join(d, "redis.log"), self.procs)
        wait_until(lambda: info(master_ip, master_port, "replication").get("connected_slaves") == "2", 20,
                   "both replicas online")
        for host in HOSTS:
            d = self.conf_dir(host)
            if tmpfs_size:
                self.lab.mount_tmpfs(d, tmpfs_size)
                self.tmpfs.append(d)
            os.makedirs(d, exist_ok=True)
            with open(self.conf_path(host), "w") as c:
                c.write(f"port {SENTINEL_PORT}\nbind {ip_of(host)}\nprotected-mode no\ndir {d}\n"
                        f"sentinel monitor mymaster {master_ip} {master_port} 2\n"
                        f"sentinel down-after-milliseconds mymaster {self.down_after}\n"
                        f"sentinel failover-timeout mymaster {self.failover_timeout}\n")
            os.chown(d, SENTINEL_UID, SENTINEL_UID)
            os.chown(self.conf_path(host), SENTINEL_UID, SENTINEL_UID)
            self.start_sentinel(host)
        self.launched = time.monotonic()

    def start_sentinel(self, host):
        args = ["ip", "netns", "exec", self.lab.ns(host), "setpriv", f"--reuid={SENTINEL_UID}",
                f"--regid={SENTINEL_UID}", "--clear-groups", "--pdeathsig", "SIGKILL", self.binary,
                self.conf_path(host)]
        p = spawn(args, self.sentinel_log_path(host), self.procs)
        self.sentinel[host] = p
        return p

    def sentinel_log_path(self, host):
        return os.path.join(self.work, host, "sentinel.log")

    def sentinel_log(self, host):
        try:
            with open(self.sentinel_log_path(host), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_discovered(self, timeout=30):
        def done():
            for host in HOSTS:
                m = fields(command(*self.sentinel_addr(host), "SENTINEL", "MASTER", "mymaster", timeout=0.5))
                if m.get("num-slaves") != "2" or m.get("num-other-sentinels") != "2":
                    return False
            return True
        start = time.monotonic()
        wait_until(done, timeout, "sentinel discovery", interval=0.05)
        return time.monotonic() - start

    def kill(self, host, what="sentinel", sig=signal.SIGKILL):
        p = (self.sentinel if what == "sentinel" else self.redis)[host]
        self.killed.add(p.pid)
        try:
            os.kill(p.pid, sig)
        except ProcessLookupError:
            pass

    def freeze(self, host, frozen=True):
        for p in (self.redis[host], self.sentinel[host]):
            if frozen:
                self.killed.add(p.pid)
            try:
                os.kill(p.pid, signal.SIGSTOP if frozen else signal.SIGCONT)
            except ProcessLookupError:
                pass

    def crashes(self):
        """Sentinels or redis-servers that exited on their own, or whose log shows a crash."""
        found = []
        for kind, table in (("sentinel", self.sentinel), ("redis", self.redis)):
            for host, p in table.items():
                code = p.poll()
                if code is not None and p.pid not in self.killed:
                    found.append(f"{kind} {host} exited {'by signal ' + str(-code) if code < 0 else code}")
        for host in HOSTS:
            text = self.sentinel_log(host)
            for marker in ("Swift runtime failure", "Fatal error:", "REDIS BUG REPORT", "crashed by signal",
                           "💣 Program crashed"):
                if marker in text:
                    found.append(f"sentinel {host} log: {marker!r}")
        return found

    def sentinel_rss_kb(self):
        return {h: rss_kb(p.pid) for h, p in self.sentinel.items() if p.poll() is None}

    def close(self):
        for p in self.procs:  # a frozen process must be able to die
            try:
                os.kill(p.pid, signal.SIGCONT)
            except (ProcessLookupError, PermissionError):
                pass
        stop(self.procs)
        for d in self.tmpfs:
            self.lab.umount(d)
        self.tmpfs = []

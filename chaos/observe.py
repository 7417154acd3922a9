"""The observer and the checker.

Observer: one thread per data node (`INFO replication` every 20 ms: role) and per sentinel
(`SENTINEL GET-MASTER-ADDR-BY-NAME mymaster` every 20 ms: the port it names), each on a
persistent connection from the observer namespace, which no fault touches. Only changes are
recorded, with CLOCK_MONOTONIC times (the same clock as the writers' logs).

Checker: from the writers' logs, the observer's timeline and the final master's data:
  lost        acknowledged writes whose key does not hold the written value on the final master
  two_master  the window in which two masters acknowledged writes: the last ack of a node that
              is not the final master, minus the first ack of the final master (0 if none)
  failover_s  fault start -> a majority (2) of the sentinels name a new master
  agree_s     heal (or kill) -> every live sentinel names the same node, that node reports
              role:master and no other node does (and it stays so until the end)
  demote_s    heal -> the old master reports role:slave (only when a failover happened)
  stall_ms    the longest time between two acknowledged writes of one writer (the worse writer),
              from 1 s before the fault to the end
  promotions  how many times a node became master after the fault started
"""

import os
import threading
import time

from lab import HOSTS, REDIS_PORT, SENTINEL_PORT, ip_of, pipeline
from benchlib import encode, read_reply

import socket

POLL_S = 0.02


class Observer:
    def __init__(self, cluster):
        self.cluster = cluster
        self.timeline = []  # (t, kind, host, value); kind "role" or "sentinel"
        self.state = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []

    def _record(self, kind, host, value):
        with self.lock:
            if self.state.get((kind, host), "?unset") != value:
                self.state[(kind, host)] = value
                self.timeline.append((time.monotonic(), kind, host, value))

    def _poll(self, kind, host, address, words, parse):
        sock = f = None
        while not self.stopping.is_set():
            try:
                if sock is None:
                    sock = socket.create_connection(address, timeout=0.3)
                    f = sock.makefile("rb")
                sock.sendall(encode(*words))
                self._record(kind, host, parse(read_reply(f)))
            except (OSError, ConnectionError, ValueError):
                self._record(kind, host, None)
                if sock is not None:
                    try:
                        sock.close()
                    except OSError:
                        pass
                sock = f = None
            self.stopping.wait(POLL_S)
        if sock is not None:
            sock.close()

    def start(self):
        def role(reply):
            if isinstance(reply, Exception):
                return None
            for line in reply.splitlines():
                if line.startswith("role:"):
                    return line[5:].strip()
            return None

        def named_port(reply):
            return int(reply[1]) if isinstance(reply, list) and len(reply) == 2 else None

        for host in HOSTS:
            self.threads.append(threading.Thread(
                target=self._poll, args=("role", host, (ip_of(host), REDIS_PORT[host]), ["INFO", "replication"], role),
                daemon=True))
            self.threads.append(threading.Thread(
                target=self._poll, args=("sentinel", host, (ip_of(host), SENTINEL_PORT),
                                         ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"], named_port),
                daemon=True))
        for t in self.threads:
            t.start()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=2)

    def snapshot(self):
        with self.lock:
            return dict(self.state)

    def agreed(self, excluded=()):
        """The port every live sentinel names if they agree, that node is master and no other
        node is, else None."""
        s = self.snapshot()
        return agreement(s, excluded)


def agreement(state, excluded=()):
    named = {state.get(("sentinel", h)) for h in HOSTS if h not in excluded}
    if len(named) != 1:
        return None
    port = named.pop()
    if port is None:
        return None
    for h in HOSTS:
        role = state.get(("role", h))
        if REDIS_PORT[h] == port and role != "master":
            return None
        if REDIS_PORT[h] != port and role == "master":
            return None
    return port


def replay(timeline):
    """Yields (t, state) after each change."""
    state = {}
    for t, kind, host, value in timeline:
        state[(kind, host)] = value
        yield t, dict(state)


def read_writer_log(path):
    acks, errors = [], []
    try:
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if parts[0] == "E" and len(parts) == 4:
                    errors.append((int(parts[1]), parts[2], float(parts[3]) / 1000))
                elif len(parts) == 4 and parts[2].isdigit():
                    acks.append((int(parts[0]), parts[1], int(parts[2]), float(parts[3]) / 1000))
    except FileNotFoundError:
        pass
    return acks, errors


def check(cluster, observer, writer_logs, t_fault, t_heal, original_port, excluded=(), t_end=None):
    """The figures of one run (see the module's docstring)."""
    t_end = t_end or time.monotonic()
    result = {}
    # Sentinels and roles from the timeline.
    failover_at = None
    promotions = 0
    demoted_at = None
    agree_since = None
    prev_roles = {}
    for t, state in replay(observer.timeline):
        if t >= t_fault:
            named = [state.get(("sentinel", h)) for h in HOSTS]
            if failover_at is None and sum(1 for p in named if p is not None and p != original_port) >= 2:
                failover_at = t
            for h in HOSTS:
                role = state.get(("role", h))
                if role == "master" and prev_roles.get(h) not in (None, "master") and REDIS_PORT[h] != original_port:
                    promotions += 1
                if (REDIS_PORT[h] == original_port and role == "slave" and demoted_at is None and t >= t_heal):
                    demoted_at = t
        for h in HOSTS:
            r = state.get(("role", h))
            if r is not None:
                prev_roles[h] = r
        if agreement(state, excluded) is not None:
            if agree_since is None:
                agree_since = t
        else:
            agree_since = None
    final = observer.agreed(excluded)
    result["final_port"] = final
    if final is None:
        result["final_state"] = {f"{kind} {host}": value for (kind, host), value in sorted(observer.snapshot().items())}
    result["switched"] = final is not None and final != original_port
    result["failover_s"] = None if failover_at is None else failover_at - t_fault
    result["promotions"] = promotions
    result["agree_s"] = None if final is None or agree_since is None else max(0.0, agree_since - t_heal)
    result["demote_s"] = (None if not result["switched"] or demoted_at is None else max(0.0, demoted_at - t_heal))

    # Writes.
    all_acks = []
    stall = 0.0
    errors = {}
    for path in writer_logs:
        acks, errs = read_writer_log(path)
        all_acks += acks
        times = [a[3] for a in acks if a[3] >= t_fault - 1.0]
        if times:
            gaps = [b - a for a, b in zip(times, times[1:])]
            stall = max([stall, (times[0] - (t_fault - 1.0))] + gaps)
        for _, kind, t in errs:
            if t >= t_fault - 1.0:
                errors[kind] = errors.get(kind, 0) + 1
    result["acked"] = len(all_acks)
    result["stall_ms"] = stall * 1000
    result["errors"] = errors
    lost, lost_by_port = 0, {}
    if final is not None:
        host = cluster.host_of_port(final)
        for start in range(0, len(all_acks), 2000):
            chunk = all_acks[start:start + 2000]
            values = pipeline(ip_of(host), final, [["GET", key] for _, key, _, _ in chunk], timeout=20)
            for (seq, _, port, _), value in zip(chunk, values):
                if value != str(seq):
                    lost += 1
                    lost_by_port[port] = lost_by_port.get(port, 0) + 1
    else:
        lost = None
    result["lost"] = lost
    result["lost_by_port"] = lost_by_port
    # Two masters acknowledging writes.
    window = 0.0
    if final is not None:
        on_final = [a[3] for a in all_acks if a[2] == final and a[3] >= t_fault]
        if on_final:
            first_final = min(on_final)
            others = [a[3] for a in all_acks if a[2] != final and a[3] >= t_fault]
            if others:
                window = max(0.0, max(others) - first_final)
    result["two_master_s"] = window
    return result


def config_names_port(path, port):
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    return any(line.startswith("sentinel monitor mymaster ") and line.split()[4] == str(port)
               for line in text.splitlines() if len(line.split()) >= 5)


__all__ = ["Observer", "check", "config_names_port", "read_writer_log", "SENTINEL_PORT", "os"]

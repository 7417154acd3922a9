"""The scale measurement at one scale point: N masters with one replica each (2N real
redis-server processes; bench/run measures each point of --scale-masters, 200 and 1,000 by
default, one after the other, each with its own data nodes), then, one implementation after the
other on the same data nodes, 3 sentinels monitoring all N
(quorum 2, down-after-milliseconds 1000): time until every sentinel reports every master's
replica and both peers, each sentinel's idle CPU over a window after discovery has settled,
its RSS, and crash failovers of single masters while the others are monitored (each once no
sentinel is in TILT, bounded at 60 s; how often each entered TILT, and how many healthy masters
it marked +sdown before the first kill, are counted from its log). Between the
two fleets the failed-over pairs are restarted in their original roles; the two fleets never
run at the same time (both would gossip on `__sentinel__:hello` of the same nodes).

Data nodes are small: no persistence (`save ""`, `appendonly no`), a 16 kB replication backlog,
diskless sync without delay, and `hz 1` so that 2N idle servers do not load the machine (hz 10
costs ~0.1 % of a core per idle server; nothing a sentinel measures depends on it: replies are
immediate and the replication cron runs once a second either way). Their ports come from below
the ephemeral range (32768+), so tests running at the same time, which take ephemeral ports,
cannot take them between reservation and use. They start in batches of 50 in parallel.

At 1,000 masters that is 2,000 redis-server processes, one per instance (not several masters'
worth of load per process: a sentinel keys an instance by its address, so each master needs its
own listening server). Each costs ~2.7 MiB of private memory (RssAnon; its ~9.5 MiB of shared
code pages count once) and 5 threads, so the data nodes take ~6 GiB of the machine's 24 GiB and
~10,000 of its 32,768 pids; the memory they took is measured (MemAvailable before and after the
start, and the sum of their private RSS) and reported with the point. Each sentinel holds two
links per instance (4N descriptors), so the soft RLIMIT_NOFILE that the sentinels inherit is
raised to at least 4N + 512 (redis-sentinel raises its own limit at startup as far as the hard
limit allows, for its default 10,000 clients)."""

import os
import random
import re
import resource
import shutil
import socket
import tempfile
import time

from benchlib import (
    command, cpu_seconds, info, mem_available_kb, open_fds, rss_kb, spawn, stop, wait_all_answer_other_than, wait_until,
)

BATCH = 50
# The longest wait for no sentinel to be in TILT before a kill; when a fleet is still in TILT
# after it, that kill is measured anyway and the fleet's remaining kills are skipped (each would
# cost this wait and 30 s more without telling anything new), which bounds a run at scale.
TILT_WAIT = 60


def reserve_ports(count):
    """`count` distinct loopback ports below the ephemeral range that are free right now."""
    base = random.randrange(10000, 32000 - 3 * count)
    ports, port = [], base
    while len(ports) < count and port < 32768:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                ports.append(port)
            except OSError:
                pass
        port += 1
    if len(ports) < count:
        raise RuntimeError(f"only {len(ports)} free ports from {base}")
    return ports


def raise_fd_limit(needed):
    """Raises the soft RLIMIT_NOFILE (inherited by the sentinels) to at least `needed`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return soft
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise RuntimeError(f"ulimit -n: the hard limit {hard} is below the {needed} descriptors needed")
    target = needed if hard == resource.RLIM_INFINITY else min(hard, max(needed, 65536))
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def name(i):
    return f"m{i:03d}"


class DataFleet:
    def __init__(self, masters):
        self.n = masters
        self.mem_available_before_kb = mem_available_kb()
        self.work = tempfile.mkdtemp(prefix="scale-bench-")
        ports = reserve_ports(2 * masters + 3)
        self.masters, self.replicas, self.sentinel_ports = ports[:masters], ports[masters:2 * masters], ports[-3:]
        self.procs = {}
        self.fd_limit = raise_fd_limit(4 * masters + 512)

    def _spawn(self, port, master=None):
        args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", self.work, "--dbfilename", f"d{port}.rdb", "--repl-diskless-sync", "yes",
                "--repl-diskless-sync-delay", "0", "--repl-backlog-size", "16kb", "--hz", "1",
                "--loglevel", "warning"]
        if master is not None:
            args += ["--replicaof", "127.0.0.1", str(master)]
        self.procs[port] = spawn(args, os.path.join(self.work, f"redis-{port}.log"))

    def _wait(self, ports, ready, what, timeout=60):
        pending, end = set(ports), time.monotonic() + timeout
        while pending and time.monotonic() < end:
            for port in list(pending):
                if self.procs[port].poll() is not None:
                    raise RuntimeError(f"redis-server on {port} exited (see {self.work}/redis-{port}.log)")
                try:
                    if ready(port):
                        pending.discard(port)
                except (OSError, ConnectionError, ValueError):
                    pass
            if pending:
                time.sleep(0.05)
        if pending:
            raise TimeoutError(f"{len(pending)} data nodes not {what} within {timeout} s")

    def _start_pairs(self, indexes):
        for start in range(0, len(indexes), BATCH):
            batch = indexes[start:start + BATCH]
            for i in batch:
                self._spawn(self.masters[i])
            self._wait([self.masters[i] for i in batch], lambda p: command(p, "PING") == "PONG", "answering")
            for i in batch:
                self._spawn(self.replicas[i], self.masters[i])
            self._wait([self.replicas[i] for i in batch],
                       lambda p: "master_link_status:up" in command(p, "INFO", "replication"), "in sync")

    def start(self):
        """Starts every pair; returns the seconds it took."""
        t0 = time.monotonic()
        self._start_pairs(list(range(self.n)))
        return time.monotonic() - t0

    def memory(self):
        """{"private_kb": the data nodes' private RSS (RssAnon) summed, "taken_kb": how much
        MemAvailable fell since the fleet was created (also counts the kernel's share: socket
        buffers, page tables, and whatever else started meanwhile)}."""
        private = [rss_kb(p.pid, "RssAnon") for p in self.procs.values()]
        return {"private_kb": sum(x for x in private if x),
                "taken_kb": self.mem_available_before_kb - mem_available_kb()}

    def restart_pairs(self, indexes):
        """Kills and restarts the given pairs in their original roles (after a failover)."""
        stop([self.procs[port] for i in indexes for port in (self.masters[i], self.replicas[i])])
        self._start_pairs(list(indexes))

    def close(self):
        stop(list(self.procs.values()))
        shutil.rmtree(self.work, ignore_errors=True)


class SentinelFleet:
    """Three sentinels of one implementation monitoring every master of `data`."""

    def __init__(self, binary, data, label, down_after=1000, failover_timeout=10000, extra_lines=None):
        """extra_lines(index): config lines of the index-th sentinel (e.g. its metrics-port)."""
        self.data, self.ports, self.procs = data, data.sentinel_ports, []
        self.dir = os.path.join(data.work, label)
        os.makedirs(self.dir, exist_ok=True)
        for index, port in enumerate(self.ports):
            conf = os.path.join(self.dir, f"sentinel-{port}.conf")
            with open(conf, "w") as c:
                c.write(f"port {port}\nbind 127.0.0.1\ndir {self.dir}\n")
                c.write("".join(line + "\n" for line in (extra_lines(index) if extra_lines else [])))
                for i, master in enumerate(data.masters):
                    c.write(f"sentinel monitor {name(i)} 127.0.0.1 {master} 2\n"
                            f"sentinel down-after-milliseconds {name(i)} {down_after}\n"
                            f"sentinel failover-timeout {name(i)} {failover_timeout}\n")
            spawn([binary, conf], os.path.join(self.dir, f"sentinel-{port}.log"), self.procs)
        self.launched = time.monotonic()

    def _log(self, port):
        """The lines of one sentinel's log, or None when it cannot be read."""
        try:
            with open(os.path.join(self.dir, f"sentinel-{port}.log"), errors="replace") as f:
                return f.readlines()
        except OSError:
            return None

    def log_counts(self, marker):
        """How many lines of each sentinel's log contain `marker` (e.g. "+tilt")."""
        logs = [self._log(port) for port in self.ports]
        return [None if lines is None else sum(1 for line in lines if marker in line) for lines in logs]

    def log_marks(self):
        """How many lines each sentinel's log has now (a mark for healthy_events)."""
        return [len(self._log(port) or []) for port in self.ports]

    def healthy_events(self, event, killed):
        """Per sentinel, how many `<event> master <name>` lines (e.g. "+sdown", "+odown",
        "+try-failover") its log holds about a master while it was healthy, from the launch until
        now: `killed` maps each killed master's name to log_marks() taken just before its kill,
        and its lines from there on do not count."""
        pattern = re.compile(re.escape(event) + r" master (\S+) ")
        counts = []
        for k, port in enumerate(self.ports):
            lines = self._log(port)
            counts.append(None if lines is None else sum(
                1 for j, line in enumerate(lines)
                if (m := pattern.search(line)) and (m.group(1) not in killed or j < killed[m.group(1)][k])))
        return counts

    def log_lines(self, markers, limit=5):
        """The first `limit` lines of each sentinel's log that contain one of `markers`, as
        [[line, ...] per sentinel]: the evidence behind the counts, kept in run.json (the logs
        themselves go with the temporary directory)."""
        logs = [self._log(port) or [] for port in self.ports]
        return [[line.rstrip("\n") for line in lines if any(marker in line for marker in markers)][:limit]
                for lines in logs]

    def wait_no_tilt(self, timeout=TILT_WAIT):
        """Until no sentinel reports `sentinel_tilt:1` in INFO (bounded); returns the seconds waited."""
        t0 = time.monotonic()
        try:
            wait_until(lambda: all(info(port, "sentinel").get("sentinel_tilt") == "0" for port in self.ports),
                       timeout, "TILT to end", interval=0.1)
        except TimeoutError:
            pass
        return time.monotonic() - t0

    def _discovered(self, port):
        """Whether INFO sentinel lists every master with its replica and all three sentinels
        (`masterI:name=…,slaves=1,sentinels=3`: the same counts as SENTINEL MASTERS' num-slaves
        and num-other-sentinels + 1, in one line per master instead of ~40 fields)."""
        masters = [dict(kv.split("=", 1) for kv in value.split(","))
                   for key, value in info(port, "sentinel", timeout=5).items()
                   if key.startswith("master") and key[6:].isdigit()]
        return len(masters) == self.data.n and all(
            m.get("slaves") == "1" and m.get("sentinels") == "3" for m in masters)

    def wait_discovered(self, timeout=None):
        """Seconds from the last sentinel's launch until all report every replica and both
        peers for every master (polled every 250 ms: INFO sentinel of N masters is a large
        reply, and the CPU belongs to the sentinels). Bounded at 180 s, or 0.15 s per master
        when that is longer."""
        timeout = timeout or max(180, 0.15 * self.data.n)
        done, end = {}, time.monotonic() + timeout
        while len(done) < len(self.ports) and time.monotonic() < end:
            for port in self.ports:
                try:
                    if port not in done and self._discovered(port):
                        done[port] = time.monotonic() - self.launched
                except (OSError, ConnectionError, ValueError, TypeError):
                    pass
            time.sleep(0.25)
        if len(done) < len(self.ports):
            raise TimeoutError(f"discovery of {self.data.n} masters not complete within {timeout} s")
        return max(done.values())

    def idle_cpu(self, seconds):
        """Each sentinel's CPU (utime + stime) over `seconds`, in % of one core."""
        before = [cpu_seconds(p.pid) for p in self.procs]
        t0 = time.monotonic()
        time.sleep(seconds)
        after = [cpu_seconds(p.pid) for p in self.procs]
        elapsed = time.monotonic() - t0
        return [100 * (b - a) / elapsed for a, b in zip(before, after)]

    def rss_kb(self):
        return [rss_kb(p.pid) for p in self.procs]

    def open_fds(self):
        return [open_fds(p.pid) for p in self.procs]

    def crash_failover(self, i):
        """kill -9 of master i until all three sentinels answer its replica's address (or None)."""
        killed = time.monotonic()
        self.data.procs[self.data.masters[i]].kill()
        result = wait_all_answer_other_than(self.ports, name(i), self.data.masters[i], since=killed)
        return None if result is None else result[0]

    def close(self, keep_logs=None):
        """Stops the sentinels; with `keep_logs` (a directory) copies their logs there first,
        as <label>-<masters>-sentinel-<port>.log (the temporary directory goes at the end)."""
        stop(self.procs)
        if keep_logs:
            os.makedirs(keep_logs, exist_ok=True)
            label = os.path.basename(self.dir)
            for port in self.ports:
                log = os.path.join(self.dir, f"sentinel-{port}.log")
                if os.path.exists(log):
                    shutil.copy2(log, os.path.join(keep_logs, f"{label}-{self.data.n}-sentinel-{port}.log"))


def scale_run(binaries, masters, failovers, idle_seconds, settle_seconds, log=print, keep_logs=None):
    """binaries: [(implementation, path)], run one after the other on the same data nodes;
    keep_logs: a directory for the sentinels' logs (bench/run --scale-logs)."""
    data = DataFleet(masters)
    results = {"masters": masters, "fd_limit": data.fd_limit, "fleets": {}}
    try:
        results["data_start_s"] = data.start()
        results["data_memory"] = data.memory()
        results["memory_taken_max_kb"] = results["data_memory"]["taken_kb"]
        log(f"scale: {2 * masters} data nodes up in {results['data_start_s']:.1f} s; "
            f"{results['data_memory']['private_kb'] / 1024 ** 2:.2f} GiB private RSS, MemAvailable "
            f"{results['data_memory']['taken_kb'] / 1024 ** 2:.2f} GiB lower than before the start")
        for k, (implementation, binary) in enumerate(binaries):
            fleet = SentinelFleet(binary, data, implementation)
            try:
                # A fleet that fails (e.g. discovery not complete in time) loses its own figures,
                # not the other implementation's: the error is kept per fleet.
                r = {"discovery_s": fleet.wait_discovered()}
                log(f"scale: {implementation}: discovery of {masters} masters {r['discovery_s']:.2f} s")
                time.sleep(settle_seconds)
                r["idle_cpu_pct"] = fleet.idle_cpu(idle_seconds)
                r["rss_kb"] = fleet.rss_kb()
                r["open_fds"] = fleet.open_fds()
                taken = data.memory()["taken_kb"]
                results["memory_taken_max_kb"] = max(results["memory_taken_max_kb"], taken)
                log(f"scale: {implementation}: idle CPU {', '.join(f'{x:.2f} %' for x in r['idle_cpu_pct'])} "
                    f"over {idle_seconds} s; RSS {', '.join(f'{x / 1024:.1f} MiB' for x in r['rss_kb'])}; "
                    f"descriptors {', '.join(str(x) for x in r['open_fds'])}; MemAvailable "
                    f"{taken / 1024 ** 2:.2f} GiB lower than before the data nodes")
                # Healthy masters marked down so far, and TILT (event-loop stalls of 2 s or more).
                r["sdown_before_kill"] = fleet.log_counts("+sdown master")
                r["sdown_lines"] = fleet.log_lines(["+sdown master"])
                r["failover_s"], r["tilt_wait_s"] = [], []
                killed = {}
                for i in range(failovers):
                    r["tilt_wait_s"].append(fleet.wait_no_tilt())
                    killed[name(i)] = fleet.log_marks()
                    t = fleet.crash_failover(i)
                    r["failover_s"].append(t)
                    log(f"scale: {implementation}: crash failover of {name(i)}: "
                        + ("no agreement within 30 s" if t is None else f"{t:.3f} s")
                        + f" (waited {r['tilt_wait_s'][-1]:.1f} s for no sentinel to be in TILT)")
                    time.sleep(2)
                    if r["tilt_wait_s"][-1] >= TILT_WAIT and i + 1 < failovers:
                        r["failovers_skipped"] = failovers - i - 1
                        log(f"scale: {implementation}: still in TILT after {TILT_WAIT} s: the other "
                            f"{r['failovers_skipped']} kill(s) skipped")
                        break
                r["tilt_entered"] = fleet.log_counts("+tilt")
                r["tilt_lines"] = fleet.log_lines(["+tilt", "-tilt"])
                # Over the whole run, the failovers included: masters that a sentinel marked
                # +sdown, saw in +odown or tried to fail over while they were healthy (never
                # killed, or before their kill).
                r["sdown_healthy"] = fleet.healthy_events("+sdown", killed)
                r["odown_healthy"] = fleet.healthy_events("+odown", killed)
                r["failover_healthy"] = fleet.healthy_events("+try-failover", killed)
                r["odown_lines"] = fleet.log_lines(["+odown master", "+try-failover master"])
                log(f"scale: {implementation}: TILT entered {r['tilt_entered']} times, +sdown of healthy masters "
                    f"{r['sdown_before_kill']} before the first kill, {r['sdown_healthy']} over the whole run, "
                    f"+odown {r['odown_healthy']}, +try-failover {r['failover_healthy']} (per sentinel)")
                results["fleets"][implementation] = r
            except (OSError, ConnectionError, ValueError, TimeoutError, RuntimeError) as error:
                message = f"{implementation}: {type(error).__name__}: {error}"
                results.setdefault("fleet_errors", []).append(message)
                log(f"scale: FAILED at {masters} masters: {message} (logs: {fleet.dir})")
            finally:
                fleet.close(keep_logs)
            if k + 1 < len(binaries):
                data.restart_pairs(range(failovers))
    finally:
        data.close()
    return results

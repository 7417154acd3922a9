"""The reconnect storm (issue 16): what every client does right after a failover. A fresh standard
topology (benchlib.Topology: a redis-server master with two replicas and three sentinels, quorum 2),
then N clients (5,000) connect at once to the first sentinel and each sends
`SENTINEL GET-MASTER-ADDR-BY-NAME mymaster` as soon as its connection is up.

Measured per run: the time from the first connect until the last client has its (checked) reply,
each client's latency from its own connect until its reply (p50 / p99 / max), and the clients
that failed: refused, reset or closed, a wrong reply, or no reply within the per-client deadline
(10 s). The whole run is bounded (the deadline plus the time to issue the connects plus a margin;
the generator processes are killed after it).

The load generator is plain Python without threads: each generator process (one by default,
`procs`) opens its share of the clients with non-blocking sockets on one epoll, issuing the
connects in batches with a poll between batches, and writes the request at once when the connect
has completed (loopback usually completes it inside connect()), else on EPOLLOUT. All generator
processes start at the same CLOCK_MONOTONIC instant (shared by every process on Linux). Their own
CPU (utime + stime) is recorded, next to the sentinel's CPU over the storm, so that a
generator-bound run shows.

Limits, the same for both implementations and recorded in every sample: RLIMIT_NOFILE is raised
(soft and, as root, hard) in the bench process before the topology starts, so the sentinels
inherit it and so does the generator; `maxclients` is written to both sentinels' configuration
above the client count (redis-sentinel caps it by the descriptor limit at start-up: the value each
reports in INFO clients is checked); `tcp-backlog` (default 511, the Redis default) is written to
both, and the kernel caps it by net.core.somaxconn (recorded). When the listen queue overflows the
kernel drops SYNs and the clients retry after 1 s, 3 s, ...: that shows as latency here, on
purpose."""

import errno
import multiprocessing
import select
import socket
import statistics
import time

from benchlib import Topology, command, cpu_seconds, encode, info
from fleet import raise_fd_limit

REQUEST = encode("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
DEADLINE_S = 10.0
BATCH = 64
ERROR_KINDS = ("refused", "reset", "closed", "wrong_reply", "timeout", "other")


def read_sysctl(name):
    try:
        with open("/proc/sys/" + name.replace(".", "/")) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError):
        return None


def listen_drops():
    """The kernel's TcpExt ListenOverflows and ListenDrops counters (machine-wide: a full accept
    queue, SYNs dropped), from /proc/net/netstat."""
    with open("/proc/net/netstat") as f:
        lines = [line.split() for line in f if line.startswith("TcpExt:")]
    values = dict(zip(lines[0][1:], (int(x) for x in lines[1][1:])))
    return values.get("ListenOverflows", 0), values.get("ListenDrops", 0)


def expected_reply(port):
    """The RESP reply of GET-MASTER-ADDR-BY-NAME naming 127.0.0.1:port, byte for byte."""
    host, p = "127.0.0.1", str(port)
    return f"*2\r\n${len(host)}\r\n{host}\r\n${len(p)}\r\n{p}\r\n".encode()


def _classify(error_number):
    return {errno.ECONNREFUSED: "refused", errno.ECONNRESET: "reset", errno.EPIPE: "reset",
            errno.ETIMEDOUT: "timeout"}.get(error_number, "other")


def storm_clients(port, expected, count, start_at, deadline_s=DEADLINE_S):
    """One generator: `count` clients against 127.0.0.1:port, the first connect at the monotonic
    instant `start_at`. Returns {"latencies" (s, one per answered client), "answered_at" (the
    monotonic time of the last reply), "errors" {kind: count}, "cpu_s" (this process), "issue_s"
    (start until the last connect was issued)}."""
    address = ("127.0.0.1", port)
    poller = select.epoll(count + 16)
    clients = {}  # fd -> [socket, started, received bytes]
    latencies, errors = [], dict.fromkeys(ERROR_KINDS, 0)
    last_answer, issued, cpu_before = None, 0, time.process_time()

    def finish(fd, kind=None):
        nonlocal last_answer
        s, started, _ = clients.pop(fd)
        try:
            poller.unregister(fd)
        except OSError:
            pass
        if kind is None:
            now = time.monotonic()
            latencies.append(now - started)
            last_answer = now
            keep.append(s)  # connected until the end of the run, as a real client stays
        else:
            errors[kind] += 1
            s.close()

    def send(fd):
        s = clients[fd][0]
        try:
            s.send(REQUEST)
        except BlockingIOError:
            poller.modify(fd, select.EPOLLOUT)
            return
        except OSError as error:
            finish(fd, _classify(error.errno))
            return
        poller.modify(fd, select.EPOLLIN)

    keep = []
    while time.monotonic() < start_at:
        time.sleep(min(0.01, max(0.0, start_at - time.monotonic())))
    issue_end, next_sweep = None, start_at + 0.05
    while issued < count or clients:
        if issued < count:
            for _ in range(min(BATCH, count - issued)):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                started = time.monotonic()
                code = s.connect_ex(address)
                issued += 1
                fd = s.fileno()
                clients[fd] = [s, started, b""]
                poller.register(fd, select.EPOLLOUT)
                if code in (0, errno.EINPROGRESS):
                    send(fd)
                else:
                    finish(fd, _classify(code))
            if issued == count:
                issue_end = time.monotonic()
            timeout = 0
        else:
            timeout = 0.05
        for fd, events in poller.poll(timeout):
            entry = clients.get(fd)
            if entry is None:
                continue
            s = entry[0]
            if events & select.EPOLLOUT and not events & (select.EPOLLERR | select.EPOLLHUP):
                send(fd)
                continue
            if events & select.EPOLLERR:
                code = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    finish(fd, _classify(code))
                    continue
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError as error:
                finish(fd, _classify(error.errno))
                continue
            if not data:
                finish(fd, "wrong_reply" if entry[2] else "closed")
                continue
            entry[2] += data
            if len(entry[2]) >= len(expected) or not expected.startswith(entry[2]):
                finish(fd, None if entry[2] == expected else "wrong_reply")
        now = time.monotonic()
        if now >= next_sweep:
            next_sweep = now + 0.05
            for fd in [fd for fd, c in clients.items() if now - c[1] > deadline_s]:
                finish(fd, "timeout")
    for s in keep:  # RST instead of FIN: no TIME_WAIT left behind for the next run
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    poller.close()
    return {"latencies": latencies, "answered_at": last_answer, "errors": errors,
            "cpu_s": time.process_time() - cpu_before, "issue_s": (issue_end or time.monotonic()) - start_at}


def _worker(pipe, *args):
    try:
        pipe.send(storm_clients(*args))
    except Exception as error:  # reported to the parent, which fails the run
        pipe.send({"exception": f"{type(error).__name__}: {error}"})
    finally:
        pipe.close()


def percentile(sorted_xs, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_xs:
        return None
    k = max(0, min(len(sorted_xs) - 1, int(round(p / 100 * len(sorted_xs) + 0.5)) - 1))
    return sorted_xs[k]


def storm(port, expected, clients, procs=1, deadline_s=DEADLINE_S, server_pid=None):
    """`clients` clients split over `procs` generator processes (forked; killed if they overrun
    the bound), all starting at one instant. Returns the run's figures (see the module text)."""
    context = multiprocessing.get_context("fork")
    start_at = time.monotonic() + 0.3 + 0.05 * procs
    shares = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    workers, pipes = [], []
    for share in shares:
        parent, child = context.Pipe(duplex=False)
        w = context.Process(target=_worker, args=(child, port, expected, share, start_at, deadline_s), daemon=True)
        w.start()
        child.close()
        workers.append(w)
        pipes.append(parent)
    server_before = cpu_seconds(server_pid) if server_pid else None
    drops_before = listen_drops()
    bound = start_at + deadline_s + 30
    results = []
    try:
        for pipe in pipes:
            if not pipe.poll(max(0.0, bound - time.monotonic())):
                raise TimeoutError(f"storm generator did not finish within {deadline_s + 30:.0f} s")
            results.append(pipe.recv())
    finally:
        for w in workers:
            w.join(timeout=max(0.1, bound - time.monotonic()))
            if w.is_alive():
                w.kill()
                w.join(timeout=5)
    server_cpu = cpu_seconds(server_pid) - server_before if server_pid else None
    overflows, drops = (after - before for after, before in zip(listen_drops(), drops_before))
    failed = [r["exception"] for r in results if "exception" in r]
    if failed:
        raise RuntimeError("storm generator: " + "; ".join(failed))
    latencies = sorted(x for r in results for x in r["latencies"])
    errors = {kind: sum(r["errors"][kind] for r in results) for kind in ERROR_KINDS}
    answers = [r["answered_at"] for r in results if r["answered_at"] is not None]
    answered = len(latencies)
    return {
        "clients": clients, "answered": answered, "errors": errors, "failed": clients - answered,
        "all_answered_s": (max(answers) - start_at) if answered == clients else None,
        "last_answer_s": (max(answers) - start_at) if answers else None,
        "p50_ms": None if not latencies else 1000 * percentile(latencies, 50),
        "p99_ms": None if not latencies else 1000 * percentile(latencies, 99),
        "max_ms": None if not latencies else 1000 * latencies[-1],
        "mean_ms": None if not latencies else 1000 * statistics.fmean(latencies),
        "over_1s": sum(1 for x in latencies if x >= 1.0),
        "generator_cpu_s": sum(r["cpu_s"] for r in results),
        "generator_procs": procs,
        "issue_s": max(r["issue_s"] for r in results),
        "sentinel_cpu_s": server_cpu,
        "listen_overflows": overflows, "listen_drops": drops,
    }


def process_nofile(pid):
    """The soft RLIMIT_NOFILE of a running process (from /proc/<pid>/limits)."""
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    return None


def storm_run(binary, clients=5000, procs=1, tcp_backlog=511, deadline_s=DEADLINE_S):
    """One storm against the first sentinel of a fresh standard topology of `binary`."""
    maxclients = max(10000, clients + 1000)  # 10000: the default of both
    # per process: the sentinel wants maxclients + 32 (Redis's reserve), the generator its clients
    fd_limit = raise_fd_limit(max(maxclients + 128, clients + 256))
    topology = Topology(binary, prefix="storm-bench-",
                        extra_lines=[f"tcp-backlog {tcp_backlog}", f"maxclients {maxclients}"])
    try:
        topology.wait_discovered()
        port = topology.sentinels[0]
        pid = topology.sentinel_procs[port].pid
        reported = int(info(port, "clients").get("maxclients", -1))
        if reported < clients + 10:
            raise RuntimeError(f"the sentinel reports maxclients {reported}, below the {clients} clients")
        expected = expected_reply(topology.master)
        if command(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster") != ["127.0.0.1", str(topology.master)]:
            raise RuntimeError("the sentinel does not name the master before the storm")
        result = storm(port, expected, clients, procs, deadline_s, server_pid=pid)
        result.update(maxclients=reported, sentinel_nofile=process_nofile(pid), generator_nofile=fd_limit,
                      tcp_backlog=tcp_backlog, somaxconn=read_sysctl("net.core.somaxconn"),
                      syn_backlog=read_sysctl("net.ipv4.tcp_max_syn_backlog"),
                      syncookies=read_sysctl("net.ipv4.tcp_syncookies"))
        return result
    finally:
        topology.close()


def describe(r):
    """One line of a storm run for the log and run.md."""
    t = "not all answered" if r["all_answered_s"] is None else f"all answered in {r['all_answered_s']:.3f} s"
    errors = ", ".join(f"{k} {v}" for k, v in r["errors"].items() if v) or "none"
    p = "–" if r["p50_ms"] is None else f"{r['p50_ms']:.1f} / {r['p99_ms']:.1f} / {r['max_ms']:.1f} ms"
    return (f"{r['answered']}/{r['clients']} {t}; p50/p99/max {p}; ≥1 s: {r['over_1s']}; errors: {errors}; "
            f"listen overflows {r['listen_overflows']}; connects issued in {r['issue_s']:.3f} s; generator CPU "
            f"{r['generator_cpu_s']:.2f} s ({r['generator_procs']} proc), sentinel CPU {r['sentinel_cpu_s']:.2f} s")


def summary_limits(r):
    """The limits of a run, for the report."""
    return (f"RLIMIT_NOFILE {r['sentinel_nofile']} (sentinel) / {r['generator_nofile']} (generator), maxclients "
            f"{r['maxclients']}, tcp-backlog {r['tcp_backlog']}, net.core.somaxconn {r['somaxconn']}, "
            f"net.ipv4.tcp_max_syn_backlog {r['syn_backlog']}, tcp_syncookies {r['syncookies']}")



def storm_medians(runs):
    """{figure: median over the runs} of a list of storm results (runs that raised are left out;
    a run where not every client was answered ranks as infinitely slow for all_answered_s, so that
    the median is None when those are half or more of the runs)."""
    runs = [r for r in runs if "error" not in r]
    out = {}
    for key in ("all_answered_s", "p50_ms", "p99_ms", "max_ms", "failed", "over_1s", "generator_cpu_s",
                "sentinel_cpu_s", "issue_s", "listen_overflows"):
        xs = [r[key] for r in runs]
        if key == "all_answered_s":
            known = sorted(x for x in xs if x is not None)
            if known and len(known) == len(xs):
                out[key] = statistics.median(known)
            else:  # an unanswered run counts as infinitely slow: the upper middle of the ranking
                ranked = known + [None] * (len(xs) - len(known))
                out[key] = ranked[len(ranked) // 2] if ranked else None
        else:
            xs = [x for x in xs if x is not None]
            out[key] = statistics.median(xs) if xs else None
    out["runs"] = len(runs)
    return out

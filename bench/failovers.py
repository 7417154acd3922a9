"""One run of each failover measurement on a fresh standard topology, and their tables; shared by
bench/run, bench/crash-failover-bench and bench/failover-bench.

crash_run: wait for discovery (its time is recorded), 1.5 s more, record each sentinel's RSS,
kill -9 the master, then poll all three sentinels every 2 ms until all answer the new address.

planned_run: `options` are the words after `SENTINEL FAILOVER mymaster`: none (classic),
`COORDINATED` (the master's own FAILOVER) or `COORDINATED PAUSE-SWITCH` (swift-sentinel switches the
roles itself under the pause, the path used where FAILOVER is missing, renamed or denied). A writer
(a fresh key per SET, paced at `rate` writes/s, every acknowledged write logged with the port that
acknowledged it) runs for 1 s, then `SENTINEL FAILOVER mymaster [options]` goes to the first sentinel.
The writer is redis-py's (scripts/demo_writer.py: `Sentinel.master_for`) up to 3,000 writes/s and
go-redis v5's above (bench/go-writer/main.go: `redis.NewFailoverClient`, the same flags, acks file
and summary line): redis-py tops out near 3,500 paced writes/s on the 2-core benchmark machine, the
Go writer acknowledged 8,000-9,300/s at 10,000/s there in a short test, with 0.6-0.7 of a core (the
tables state the achieved rate; `writer=` forces one; the result's "writer" names it). Both count
errors alike (no retries; a READONLY reply drops the connection, so the next write asks the
sentinels again; redis-py's exception names), but go-redis also subscribes to +switch-master and
closes its connection to the old master when that arrives, which redis-py's master_for does not: in
the classic variants its writes can stop reaching the old master sooner.
The run ends when all three sentinels answer the new address and the writer has had 1 s of
writes acknowledged by the new master (bounded at 30 s each); then every acknowledged key is
read back from the new master. Lost = acknowledged but missing there (split into before and
after the command); longest stall = the longest time between two acknowledged writes.
"""

import atexit
import os
import shutil
import statistics
import subprocess
import tempfile
import time

from benchlib import REPO, Topology, command, info, pipeline, spawn, stop, venv_python, wait_until

WRITER = os.path.join(REPO, "scripts", "demo_writer.py")
GO_WRITER_SOURCE = os.path.join(REPO, "bench", "go-writer", "main.go")
GO_REDIS = "/usr/share/gocode/src/gopkg.in/redis.v5"
# The writers' names (in the results and the tables) and the rate above which the Go one is used.
REDIS_PY, GO_REDIS_V5 = "redis-py", "go-redis v5"
GO_WRITER_ABOVE = 3000
_go_writer_binary = None  # built once per process, into a temporary directory


def writer_for(rate):
    """The writer planned_run uses at `rate` writes/s: redis-py cannot reach more than about
    3,500 paced writes/s on the 2-core benchmark machine, so above 3,000 the Go writer."""
    return GO_REDIS_V5 if rate > GO_WRITER_ABOVE else REDIS_PY


def go_writer():
    """The Go writer's binary: built on first use (offline, GOPATH mode, against Debian's
    golang-gopkg-redis.v5-dev, like scripts/clients/go-follower) into a temporary directory that
    is removed at exit."""
    global _go_writer_binary
    if _go_writer_binary is not None:
        return _go_writer_binary
    go = shutil.which("go")
    if go is None or not os.path.isdir(GO_REDIS):
        missing = " and ".join(m for m, absent in (("`go` (golang-go)", go is None),
                                                   (f"{GO_REDIS} (golang-gopkg-redis.v5-dev)",
                                                    not os.path.isdir(GO_REDIS))) if absent)
        raise RuntimeError(f"the Go writer (rates above {GO_WRITER_ABOVE:,} writes/s) needs {missing}: "
                           "apt-get install -y golang-go golang-gopkg-redis.v5-dev (or run ./.ci/run)")
    directory = tempfile.mkdtemp(prefix="go-writer-")
    atexit.register(shutil.rmtree, directory, True)
    binary = os.path.join(directory, "go-writer")
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOFLAGS="",
               GOCACHE=os.path.join(REPO, ".build", "gocache"))
    build = subprocess.run([go, "build", "-o", binary, GO_WRITER_SOURCE], env=env,
                           cwd=os.path.dirname(GO_WRITER_SOURCE), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=300)
    if build.returncode != 0:
        raise RuntimeError(f"go build of {GO_WRITER_SOURCE} failed ({build.returncode}):\n{build.stdout}")
    _go_writer_binary = binary
    return binary


def writer_command(writer, addresses, rate, acks_path, stop_path):
    """The writer's command line (both take the same options, Go's with one dash)."""
    options = [("sentinels", addresses), ("master-name", "mymaster"), ("rate", str(rate)), ("seconds", "120"),
               ("acks-file", acks_path), ("stop-file", stop_path)]
    if writer == GO_REDIS_V5:
        return [go_writer()] + [word for name, value in options for word in (f"-{name}", value)]
    if writer == REDIS_PY:
        return [venv_python(), WRITER] + [word for name, value in options for word in (f"--{name}", value)]
    raise ValueError(f"unknown writer {writer!r} (known: {REDIS_PY!r}, {GO_REDIS_V5!r})")

# (key, label, implementation, options after SENTINEL FAILOVER mymaster)
PLANNED_VARIANTS = [
    ("redis-classic", "redis-sentinel 7.0.15, classic", "redis", []),
    ("swift-classic", "swift-sentinel, classic", "swift", []),
    ("coordinated", "swift-sentinel, COORDINATED (FAILOVER)", "swift", ["COORDINATED"]),
    ("pause-switch", "swift-sentinel, COORDINATED PAUSE-SWITCH", "swift", ["COORDINATED", "PAUSE-SWITCH"]),
]
# The variants a coordinated target applies to.
COORDINATED_KEYS = ("coordinated", "pause-switch")


def planned_variants(baseline_label=None):
    """PLANNED_VARIANTS, plus the classic and the COORDINATED failover of the baseline build
    (`bench/run --baseline…`) when it has a label."""
    if baseline_label is None:
        return PLANNED_VARIANTS
    return PLANNED_VARIANTS + [
        ("baseline-classic", f"{baseline_label}, classic", "baseline", []),
        ("baseline-coordinated", f"{baseline_label}, COORDINATED", "baseline", ["COORDINATED"]),
    ]


# Targets of issue 4 for the coordinated failover, the median stall of issue 17 by write rate.
COORDINATED_TARGETS = {"lost": 0, "stall_worst_ms": 250, "errors": 5}
STALL_MEDIAN_MS = {2000: 10, 10000: 15}


def stall_median_target(rate):
    """Issue 17: ≤ 10 ms at up to 2,000 writes/s, ≤ 15 ms above (10,000)."""
    return STALL_MEDIAN_MS[2000] if rate <= 2000 else STALL_MEDIAN_MS[10000]


def crash_run(binary, down_after=1000):
    topology = Topology(binary, down_after=down_after, prefix="crash-bench-")
    try:
        discovery = topology.wait_discovered()
        time.sleep(1.5)  # every sentinel has replica INFO and a PING rhythm going
        rss = topology.sentinel_rss_kb()
        killed = time.monotonic()
        topology.redis[topology.master].kill()
        result = topology.wait_all_answer_other_than(topology.master, since=killed)
        return {"discovery_s": discovery, "rss_kb": rss, "failover_s": None if result is None else result[0]}
    finally:
        topology.close()


def read_acks(path):
    """[(sequence, key, port, monotonic ms)] from the writer's acks file."""
    acks = []
    with open(path) as f:
        for line in f:
            if not line.endswith("\n"):  # the writer is still writing it
                break
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 5:
                acks.append((int(parts[0]), parts[1], int(parts[2]), float(parts[4])))
    return acks


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def writer_summary(log):
    with open(log) as f:
        lines = [line for line in f if line.startswith("writes acknowledged=")]
    if not lines:
        return {}
    return dict(field.split("=", 1) for field in lines[-1].split() if "=" in field)


def planned_run(binary, options, rate=2000, keep=False, writer=None):
    """`writer`: REDIS_PY or GO_REDIS_V5; None: writer_for(rate)."""
    writer = writer or writer_for(rate)
    if writer == GO_REDIS_V5:
        go_writer()  # built before the topology starts (and a missing toolchain fails here)
    topology = Topology(binary, down_after=1000, failover_timeout=10000, prefix="failover-bench-")
    try:
        discovery = topology.wait_discovered()
        time.sleep(1.5)  # every sentinel has fresh replica INFO and a PING rhythm going
        acks_path = os.path.join(topology.work, "acks.tsv")
        stop_path = os.path.join(topology.work, "stop")
        writer_log = os.path.join(topology.work, "writer.log")
        addresses = ",".join(f"127.0.0.1:{port}" for port in topology.sentinels)
        writer_process = spawn(writer_command(writer, addresses, rate, acks_path, stop_path), writer_log,
                               topology.procs)
        wait_until(lambda: count_lines(acks_path) >= rate, 20, "1 s of acknowledged writes before the failover")

        sent = time.monotonic()
        words = ["SENTINEL", "FAILOVER", "mymaster"] + list(options)
        reply = command(topology.sentinels[0], *words, timeout=5)
        if isinstance(reply, Exception):
            return {"error": f"{' '.join(words)}: {reply}"}
        switched = topology.wait_all_answer_other_than(topology.master, since=sent)
        if switched is None:
            return {"error": "the sentinels did not all name a new master within 30 s"}
        all_switched, new_port = switched

        def on_new_master_for_a_second():
            acks = read_acks(acks_path)
            on_new = [a for a in acks if a[2] == new_port]
            return bool(on_new) and acks[-1][2] == new_port and on_new[-1][3] - on_new[0][3] >= 1000
        try:
            wait_until(on_new_master_for_a_second, 30, "1 s of writes acknowledged by the new master")
        except TimeoutError as error:
            return {"error": str(error)}
        with open(stop_path, "w"):
            pass
        try:
            writer_process.wait(timeout=15)
        finally:
            stop([writer_process])
        summary = writer_summary(writer_log)

        acks = read_acks(acks_path)
        lost_before = lost_after = 0
        for start in range(0, len(acks), 1000):
            chunk = acks[start:start + 1000]
            values = pipeline(new_port, [["GET", key] for _, key, _, _ in chunk])
            for (sequence, _, _, at), value in zip(chunk, values):
                if value != str(sequence):
                    if at < sent * 1000:
                        lost_before += 1
                    else:
                        lost_after += 1
        times = [a[3] for a in acks]
        stall = max(b - a for a, b in zip(times, times[1:])) if len(times) > 1 else float("inf")
        blocked = sum(int(info(port, "clients").get("blocked_clients", "0"))
                      for port in (topology.master, new_port))
        return {
            "discovery_s": discovery,
            "lost": lost_before + lost_after, "lost_before": lost_before, "acked": len(acks),
            "stall_ms": stall, "errors": int(summary.get("errors", "-1")), "kinds": summary.get("error-kinds", "?"),
            "switch_s": all_switched, "blocked": blocked, "rate": rate, "achieved_rate": achieved_rate(acks),
            "writer": writer,
        }
    finally:
        topology.close(keep=keep)


def achieved_rate(acks):
    """Acknowledged writes per second over the run (the writer may not reach its pace)."""
    if len(acks) < 2 or acks[-1][3] <= acks[0][3]:
        return None
    return (len(acks) - 1) / ((acks[-1][3] - acks[0][3]) / 1000)


def describe_planned(r):
    return (f"lost {r['lost']} (before the command {r['lost_before']}) of {r['acked']}, longest stall "
            f"{r['stall_ms']:.0f} ms, errors {r['errors']} ({r['kinds']}), all sentinels on the new master after "
            f"{r['switch_s']:.3f} s, blocked clients {r['blocked']}")


# ---------------------------------------------------------------------------------------------
# Tables


def median_worst(xs, unit="", digits=0, total=False):
    if not xs:
        return "–"
    fmt = f"{{:,.{digits}f}}{unit}"
    text = f"{fmt.format(statistics.median(xs))} / {fmt.format(max(xs))}"
    return text + (f" / {sum(xs):,}" if total else "")


def crash_table(rows):
    """rows: [(label, [seconds], runs without agreement)]."""
    lines = ["| sentinel | median | min | max | runs | runs without agreement |", "|---|---|---|---|---|---|"]
    for label, xs, failed in rows:
        if xs:
            lines.append(f"| {label} | {statistics.median(xs):.3f} s | {min(xs):.3f} s | {max(xs):.3f} s "
                         f"| {len(xs)} | {failed} |")
        else:
            lines.append(f"| {label} | – | – | – | 0 | {failed} |")
    return lines


def planned_table(rows, runs):
    """rows: [(label, [result dicts], [errors])]; cells are median / worst (/ total)."""
    lines = [
        "| variant | runs ok | acknowledged writes lost, median / worst / total | runs with a loss "
        "| longest write stall, median / worst | client errors, median / worst / total "
        "| all sentinels name the new master, median / worst |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, rs, _ in rows:
        lines.append(
            f"| {label} | {len(rs)}/{runs} | {median_worst([r['lost'] for r in rs], total=True)} "
            f"| {sum(1 for r in rs if r['lost'])} | {median_worst([r['stall_ms'] for r in rs], ' ms')} "
            f"| {median_worst([r['errors'] for r in rs], total=True)} "
            f"| {median_worst([r['switch_s'] * 1000 for r in rs], ' ms')} |")
    return lines


def coordinated_checks(rs, failures, rate=2000):
    """[(target text, met)] for one coordinated variant's results at `rate` writes/s."""
    if not rs:
        return []
    t = COORDINATED_TARGETS
    median_target = stall_median_target(rate)
    return [
        (f"{t['lost']} lost in every run", all(r["lost"] <= t["lost"] for r in rs) and not failures),
        (f"longest stall ≤ {median_target} ms median",
         statistics.median(r["stall_ms"] for r in rs) <= median_target),
        (f"longest stall ≤ {t['stall_worst_ms']} ms worst", max(r["stall_ms"] for r in rs) <= t["stall_worst_ms"]),
        (f"≤ {t['errors']} client errors per run", all(r["errors"] <= t["errors"] for r in rs)),
        ("no blocked client left on either node", all(r["blocked"] == 0 for r in rs)),
    ]

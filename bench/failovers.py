"""One run of each failover measurement on a fresh standard topology, and their tables; shared by
bench/run, bench/crash-failover-bench and bench/failover-bench.

crash_run: wait for discovery (its time is recorded), 1.5 s more, record each sentinel's RSS,
kill -9 the master, then poll all three sentinels every 2 ms until all answer the new address.

planned_run: a redis-py writer (scripts/demo_writer.py: `Sentinel.master_for`, a fresh key per
SET, paced at `rate` writes/s, every acknowledged write logged with the port that acknowledged
it) runs for 1 s, then `SENTINEL FAILOVER mymaster [COORDINATED]` goes to the first sentinel.
The run ends when all three sentinels answer the new address and the writer has had 1 s of
writes acknowledged by the new master (bounded at 30 s each); then every acknowledged key is
read back from the new master. Lost = acknowledged but missing there (split into before and
after the command); longest stall = the longest time between two acknowledged writes.
"""

import os
import statistics
import time

from benchlib import REPO, Topology, command, info, pipeline, spawn, stop, venv_python, wait_until

WRITER = os.path.join(REPO, "scripts", "demo_writer.py")

# (key, label, implementation, coordinated)
PLANNED_VARIANTS = [
    ("redis-classic", "redis-sentinel 7.0.15, classic", "redis", False),
    ("swift-classic", "swift-sentinel, classic", "swift", False),
    ("coordinated", "swift-sentinel, COORDINATED", "swift", True),
]


def planned_variants(baseline_label=None):
    """PLANNED_VARIANTS, plus the classic and the COORDINATED failover of the baseline build
    (`bench/run --baseline…`) when it has a label."""
    if baseline_label is None:
        return PLANNED_VARIANTS
    return PLANNED_VARIANTS + [
        ("baseline-classic", f"{baseline_label}, classic", "baseline", False),
        ("baseline-coordinated", f"{baseline_label}, COORDINATED", "baseline", True),
    ]


# Targets of issue 4 for the coordinated failover.
COORDINATED_TARGETS = {"lost": 0, "stall_median_ms": 100, "stall_worst_ms": 250, "errors": 5}


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


def planned_run(binary, coordinated, rate=2000, keep=False):
    topology = Topology(binary, down_after=1000, failover_timeout=10000, prefix="failover-bench-")
    try:
        discovery = topology.wait_discovered()
        time.sleep(1.5)  # every sentinel has fresh replica INFO and a PING rhythm going
        acks_path = os.path.join(topology.work, "acks.tsv")
        stop_path = os.path.join(topology.work, "stop")
        writer_log = os.path.join(topology.work, "writer.log")
        addresses = ",".join(f"127.0.0.1:{port}" for port in topology.sentinels)
        writer = spawn([venv_python(), WRITER, "--sentinels", addresses, "--master-name", "mymaster",
                        "--rate", str(rate), "--seconds", "120", "--acks-file", acks_path, "--stop-file", stop_path],
                       writer_log, topology.procs)
        wait_until(lambda: count_lines(acks_path) >= rate, 20, "1 s of acknowledged writes before the failover")

        sent = time.monotonic()
        words = ["SENTINEL", "FAILOVER", "mymaster"] + (["COORDINATED"] if coordinated else [])
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
            writer.wait(timeout=15)
        finally:
            stop([writer])
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
            "switch_s": all_switched, "blocked": blocked,
        }
    finally:
        topology.close(keep=keep)


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


def coordinated_checks(rs, failures):
    """[(target text, met)] for the coordinated failover's results."""
    if not rs:
        return []
    t = COORDINATED_TARGETS
    return [
        (f"{t['lost']} lost in every run", all(r["lost"] <= t["lost"] for r in rs) and not failures),
        (f"longest stall ≤ {t['stall_median_ms']} ms median",
         statistics.median(r["stall_ms"] for r in rs) <= t["stall_median_ms"]),
        (f"longest stall ≤ {t['stall_worst_ms']} ms worst", max(r["stall_ms"] for r in rs) <= t["stall_worst_ms"]),
        (f"≤ {t['errors']} client errors per run", all(r["errors"] <= t["errors"] for r in rs)),
        ("no blocked client left on either node", all(r["blocked"] == 0 for r in rs)),
    ]

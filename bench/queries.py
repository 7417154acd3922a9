"""Query throughput and latency with `redis-benchmark` (Debian redis-tools 7.0.15) against the first
sentinel of a fresh standard topology: `SENTINEL GET-MASTER-ADDR-BY-NAME mymaster` and
`SENTINEL MASTERS`, each at `-c 1` and `-c 50`, a fixed `-n` per cell. `--csv` prints, per
command, rps and the average/min/p50/p95/p99/max latency in ms (7.0 format). Every cell is
warmed up once (a tenth of its requests) before it is measured. Also recorded: the sentinel's
CPU time per request (utime + stime from /proc) and redis-benchmark's own CPU use in % of one
core (when it nears 100 %, the client, not the sentinel, limits the throughput), and the
sentinel's RSS after the load."""

import csv
import io
import resource
import time

from benchlib import Topology, cpu_seconds, rss_kb, run_tool

# (key, words, clients, requests for the full bench): -n sized so that each cell takes a few
# seconds on the 2-core CI machine (rates there: ~20-40k rps at -c 1, ~50-150k rps at -c 50).
CELLS = [
    ("get-addr-c1", ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"], 1, 100_000),
    ("get-addr-c50", ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"], 50, 300_000),
    ("masters-c1", ["SENTINEL", "MASTERS"], 1, 60_000),
    ("masters-c50", ["SENTINEL", "MASTERS"], 50, 200_000),
]


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def redis_benchmark(port, words, clients, requests, server_pid=None):
    """One redis-benchmark run; {"rps", "avg_ms", "p50_ms", "p99_ms", "max_ms", "client_cpu_pct",
    "server_us_per_request" (with server_pid)}."""
    args = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-c", str(clients), "-n", str(requests),
            "--csv"] + words
    server_before = cpu_seconds(server_pid) if server_pid else 0
    client_before, started = children_cpu(), time.monotonic()
    code, out, err = run_tool(args, timeout=300)
    elapsed = time.monotonic() - started
    client = children_cpu() - client_before
    server = cpu_seconds(server_pid) - server_before if server_pid else None
    rows = list(csv.DictReader(io.StringIO(out)))
    if code != 0 or not rows:
        raise RuntimeError(f"redis-benchmark failed ({code}): {err.strip()[-300:]}")
    row = rows[-1]
    return {"rps": float(row["rps"]), "avg_ms": float(row["avg_latency_ms"]), "p50_ms": float(row["p50_latency_ms"]),
            "p99_ms": float(row["p99_latency_ms"]), "max_ms": float(row["max_latency_ms"]),
            "client_cpu_pct": 100 * client / elapsed,
            "server_us_per_request": None if server is None else server / requests * 1e6}


def query_run(binary, scale=1.0):
    """All cells against one fresh topology; requests scaled by `scale` (--quick)."""
    topology = Topology(binary, prefix="query-bench-")
    try:
        discovery = topology.wait_discovered()
        port = topology.sentinels[0]
        pid = topology.sentinel_procs[port].pid
        cells = {}
        for key, words, clients, requests in CELLS:
            n = max(clients * 20, int(requests * scale))
            redis_benchmark(port, words, clients, max(clients * 10, n // 10))  # warm-up
            cells[key] = redis_benchmark(port, words, clients, n, server_pid=pid)
            cells[key]["requests"] = n
        return {"discovery_s": discovery, "cells": cells, "rss_after_load_kb": rss_kb(pid)}
    finally:
        topology.close()

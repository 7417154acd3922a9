"""From the raw samples of one bench/run to the figures the report shows: medians per
implementation and the targets with their ratio from this run, met or not, and by how much."""

import statistics

from queries import CELLS

IMPLEMENTATIONS = [("swift", "swift-sentinel"), ("redis", "redis-sentinel 7.0.15")]

# kind of target row -> (comparison, goal); the ratio is swift-sentinel / redis-sentinel except for
# scale_failover (swift-sentinel at N masters / at 1 master)
TARGET_GOALS = {
    "throughput": (">=", 1.5),
    "rss": ("<=", 1.5),
    "idle_cpu": ("<=", 1.0),
    "scale_failover": ("<=", 1.10),
}


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def ok(runs):
    return [r for r in runs if "error" not in r]


def crash_times(data, impl):
    return [r["failover_s"] for r in ok(data.get("crash", {}).get(impl, [])) if r["failover_s"] is not None]


def discovery_times(data, impl):
    """Every fresh 1-master topology of the run: crash, planned and query runs."""
    xs = [r["discovery_s"] for r in ok(data.get("crash", {}).get(impl, []))]
    xs += [r["discovery_s"] for r in ok(data.get("queries", {}).get(impl, []))]
    for key, runs in data.get("planned", {}).items():
        if key.startswith(impl):
            xs += [r["discovery_s"] for r in ok(runs)]
    if impl == "swift":
        xs += [r["discovery_s"] for r in ok(data.get("planned", {}).get("coordinated", []))]
    return xs


def rss_after_discovery(data, impl):
    return [kb for r in ok(data.get("crash", {}).get(impl, [])) for kb in r["rss_kb"] if kb is not None]


def rss_after_load(data, impl):
    return [r["rss_after_load_kb"] for r in ok(data.get("queries", {}).get(impl, [])) if r["rss_after_load_kb"]]


def query_cell(data, impl, key, metric):
    return median([r["cells"][key][metric] for r in ok(data.get("queries", {}).get(impl, []))])


def verdict(ratio, comparison, goal):
    """("met"/"not met" text with the margin, met?) for a ratio against its goal."""
    if ratio is None:
        return "not measured", None
    if comparison == ">=":
        met = ratio >= goal
        pct = abs(ratio - goal) / goal * 100
        return (f"met ({pct:.0f} % above the goal)" if met else f"**not met** ({pct:.0f} % below the goal)"), met
    met = ratio <= goal
    pct = abs(goal - ratio) / goal * 100
    return (f"met ({pct:.0f} % below the limit)" if met else f"**not met** ({pct:.0f} % over the limit)"), met


def ratio(a, b):
    if a is None or b is None:
        return None
    return a / b if b else float("inf")


def targets(data):
    """[{"text", "swift", "redis", "ratio", "goal", "result", "met"}] for the summary table."""
    rows = []
    for key, words, clients, _ in CELLS:
        s, r = query_cell(data, "swift", key, "rps"), query_cell(data, "redis", key, "rps")
        rows.append(dict(text=f"Throughput `{' '.join(words)}`, `-c {clients}`", kind="throughput",
                         swift=s and f"{s:,.0f} rps", redis=r and f"{r:,.0f} rps", ratio=ratio(s, r)))
    s, r = median(rss_after_discovery(data, "swift")), median(rss_after_discovery(data, "redis"))
    rows.append(dict(text="Resident memory after discovery (1 master)", kind="rss",
                     swift=s and f"{s / 1024:.1f} MiB", redis=r and f"{r / 1024:.1f} MiB", ratio=ratio(s, r)))
    scale = data.get("scale") or {}
    fleets = scale.get("fleets", {})
    n = scale.get("masters", data["options"]["scale_masters"])
    cpu = {impl: median(fleets[impl]["idle_cpu_pct"]) if impl in fleets else None for impl, _ in IMPLEMENTATIONS}
    rows.append(dict(text=f"Idle CPU at {n} masters (% of one core)", kind="idle_cpu",
                     swift=cpu["swift"] is not None and f"{cpu['swift']:.2f} %",
                     redis=cpu["redis"] is not None and f"{cpu['redis']:.2f} %", ratio=ratio(cpu["swift"], cpu["redis"])))
    at_n = {impl: median(fleets[impl]["failover_s"]) if impl in fleets else None for impl, _ in IMPLEMENTATIONS}
    at_1 = {impl: median(crash_times(data, impl)) for impl, _ in IMPLEMENTATIONS}

    def pair(impl):
        if at_n[impl] is None or at_1[impl] is None:
            return None
        return f"{at_n[impl]:.3f} s at {n} / {at_1[impl]:.3f} s at 1 ({at_n[impl] / at_1[impl]:.2f}×)"
    rows.append(dict(text=f"Crash failover at {n} masters vs 1 master (ratio of swift-sentinel's own times)",
                     kind="scale_failover", swift=pair("swift"), redis=pair("redis"),
                     ratio=ratio(at_n["swift"], at_1["swift"])))
    for row in rows:
        comparison, goal = TARGET_GOALS[row["kind"]]
        row["goal"] = f"{comparison.replace('>=', '≥').replace('<=', '≤')} {goal:.2f}"
        row["result"], row["met"] = verdict(row["ratio"], comparison, goal)
        row["swift"] = row["swift"] or "–"
        row["redis"] = row["redis"] or "–"
    return rows

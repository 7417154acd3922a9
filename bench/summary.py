"""From the raw samples of one bench/run to the figures the report shows: medians per
implementation and the targets with their ratio from this run, met or not, and by how much; with
a baseline (`bench/run --baseline…`), the current build against it, figure by figure."""

import statistics

from failovers import COORDINATED_KEYS
from queries import CELLS
from storm import storm_medians

IMPLEMENTATIONS = [("swift", "swift-sentinel"), ("redis", "redis-sentinel 7.0.15")]
# The key of the optional third implementation: a swift-sentinel release build of an earlier commit.
BASELINE = "baseline"

# kind of target row -> (comparison, goal); the ratio is swift-sentinel / redis-sentinel except for
# scale_failover (swift-sentinel at N masters / at 1 master) and zero (no ratio: swift-sentinel's
# count, summed over its sentinels, must be 0)
TARGET_GOALS = {
    "throughput": (">=", 1.0),
    "cpu_per_request": ("<=", 0.8),
    "rss": ("<=", 1.1),
    "idle_cpu": ("<=", 1.0),
    "scale_failover": ("<=", 1.10),
    "zero": ("==", 0),
    "storm": ("<=", 1.0),
}


def implementations(data):
    """[(key, label)] of the implementations measured in this run: IMPLEMENTATIONS, then the
    baseline when the run had one."""
    baseline = data.get("baseline")
    return IMPLEMENTATIONS + ([(BASELINE, baseline["label"])] if baseline else [])


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def ok(runs):
    return [r for r in runs if "error" not in r]


def crash_times(data, impl):
    return [r["failover_s"] for r in ok(data.get("crash", {}).get(impl, [])) if r["failover_s"] is not None]


def discovery_times(data, impl):
    """Every fresh 1-master topology of the run: crash, planned (every variant at every write
    rate) and query runs."""
    xs = [r["discovery_s"] for r in ok(data.get("crash", {}).get(impl, []))]
    xs += [r["discovery_s"] for r in ok(data.get("queries", {}).get(impl, []))]
    by_rate = data.get("planned_by_rate") or {"": data.get("planned", {})}
    for planned in by_rate.values():
        for key, runs in planned.items():
            if key.startswith(impl) or (impl == "swift" and key in COORDINATED_KEYS):
                xs += [r["discovery_s"] for r in ok(runs)]
    return xs


def scale_counts(options):
    """The master counts of --scale-masters (a list; a run.json from before the 1,000-master
    point has one number)."""
    counts = options["scale_masters"]
    return list(counts) if isinstance(counts, list) else [counts]


def scale_points(data):
    """The scale results of the run, one per point of --scale-masters ({"masters", "fleets",
    ...} each; an older run.json has one, as data["scale"])."""
    if "scales" in data:
        return data["scales"]
    return [data["scale"]] if data.get("scale") else []


def fleet_figure(scale, impl, key):
    """One figure's samples of one implementation's fleet at a scale point ([] if not measured)."""
    fleet = scale.get("fleets", {}).get(impl)
    return [x for x in fleet.get(key, []) if x is not None] if fleet else []


def idle_cpu_samples(scale, impl):
    return fleet_figure(scale, impl, "idle_cpu_pct")


def rss_after_discovery(data, impl):
    return [kb for r in ok(data.get("crash", {}).get(impl, [])) for kb in r["rss_kb"] if kb is not None]


def rss_after_load(data, impl):
    return [r["rss_after_load_kb"] for r in ok(data.get("queries", {}).get(impl, [])) if r["rss_after_load_kb"]]


def query_cell(data, impl, key, metric):
    return median([r["cells"][key][metric] for r in ok(data.get("queries", {}).get(impl, []))])


def instructions_per_request(data, impl, key):
    """Ir per request of a query cell under callgrind (one sample per implementation), or None."""
    r = (data.get("callgrind") or {}).get("implementations", {}).get(impl)
    return r["cells"][key]["ir_per_request"] if r and "cells" in r else None


def storm_figure(data, impl, key):
    """The median of one reconnect-storm figure (storm.storm_medians) over the runs, or None."""
    runs = ok(data.get("storm", {}).get(impl, []))
    return storm_medians(runs)[key] if runs else None


def verdict(ratio, comparison, goal):
    """("met"/"not met" text with the margin, met?) for a ratio against its goal."""
    if ratio is None:
        return "not measured", None
    if comparison == "==":
        met = ratio == goal
        return ("met" if met else f"**not met** ({ratio:g})"), met
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
    """[{"text", "swift", "redis", "ratio", "goal", "result", "met"}] for the summary table; with a
    baseline also "baseline", its figure (the ratio and the result stay swift / redis)."""
    rows = []
    impls = [impl for impl, _ in implementations(data)]

    def figures(value, text):
        """{impl: text or None} of one figure: `value(impl)` formatted by `text` where measured."""
        values = {impl: value(impl) for impl in impls}
        return values, {impl: None if v is None else text(v) for impl, v in values.items()}

    for key, words, clients, _ in CELLS:
        v, t = figures(lambda impl: query_cell(data, impl, key, "rps"), lambda x: f"{x:,.0f} rps")
        rows.append(dict(text=f"Throughput `{' '.join(words)}`, `-c {clients}`", kind="throughput",
                         **t, ratio=ratio(v["swift"], v["redis"])))
    for key, words, clients, _ in CELLS:  # issue 16: CPU per request, instructions per request beside it

        def cpu_text(impl, x, key=key):
            ir = instructions_per_request(data, impl, key)
            return f"{x:.1f} µs" + ("" if ir is None else f" ({ir:,.0f} instructions)")
        v = {impl: query_cell(data, impl, key, "server_us_per_request") for impl in impls}
        rows.append(dict(text=f"Sentinel CPU per request `{' '.join(words)}`, `-c {clients}` (instructions under "
                              "callgrind beside it)", kind="cpu_per_request",
                         **{impl: None if x is None else cpu_text(impl, x) for impl, x in v.items()},
                         ratio=ratio(v["swift"], v["redis"])))
    v, t = figures(lambda impl: median(rss_after_discovery(data, impl)), lambda x: f"{x / 1024:.1f} MiB")
    rows.append(dict(text="Resident memory after discovery (1 master)", kind="rss", **t,
                     ratio=ratio(v["swift"], v["redis"])))
    points = scale_points(data) or [{"masters": n} for n in scale_counts(data["options"])]
    at_1 = {impl: median(crash_times(data, impl)) for impl in impls}
    for scale in points:
        rows += scale_targets(scale, at_1, figures)
    rows += storm_targets(data, figures)
    for row in rows:
        comparison, goal = TARGET_GOALS[row["kind"]]
        if comparison == "==":
            row["goal"] = f"= {goal}"
            row["result"], row["met"] = verdict(row.pop("count"), comparison, goal)
        else:
            row["goal"] = f"{comparison.replace('>=', '≥').replace('<=', '≤')} {goal:.2f}"
            row["result"], row["met"] = verdict(row["ratio"], comparison, goal)
        if row.pop("no_agreement", False):
            row["result"], row["met"] = "**not met** (no failover agreed within 30 s)", False
        for impl in impls:
            row[impl] = row[impl] or "–"
    return rows


def scale_targets(scale, at_1, figures):
    """The target rows of one scale point (issue 16): idle CPU per sentinel ≤ 1.0× redis-sentinel,
    RSS per sentinel ≤ 1.1×, a crash failover within 1.1× of the same build's 1-master time, no
    TILT and no healthy master marked +sdown (counts summed over the three sentinels; +sdown over
    the whole run, the failovers included, or before the first kill in an older run.json)."""
    n = scale["masters"]

    def total(impl, key):
        fleet = scale.get("fleets", {}).get(impl)
        if fleet and key == "sdown_healthy" and key not in fleet:
            key = "sdown_before_kill"
        return sum(fleet_figure(scale, impl, key)) if fleet else None

    rows = []
    v, t = figures(lambda impl: median(idle_cpu_samples(scale, impl)), lambda x: f"{x:.2f} %")
    rows.append(dict(text=f"Idle CPU at {n:,} masters (% of one core)", kind="idle_cpu", **t,
                     ratio=ratio(v["swift"], v["redis"])))
    v, t = figures(lambda impl: median(fleet_figure(scale, impl, "rss_kb")), lambda x: f"{x / 1024:.1f} MiB")
    rows.append(dict(text=f"Resident memory per sentinel at {n:,} masters", kind="rss", **t,
                     ratio=ratio(v["swift"], v["redis"])))
    at_n, _ = figures(lambda impl: median(fleet_figure(scale, impl, "failover_s")), str)

    def kills(impl):
        return len(scale.get("fleets", {}).get(impl, {}).get("failover_s", []))

    def pair(impl):
        if at_n[impl] is None and kills(impl):
            return f"no agreement within 30 s in {kills(impl)} kill(s)"
        if at_n[impl] is None or at_1[impl] is None:
            return None
        return f"{at_n[impl]:.3f} s at {n:,} / {at_1[impl]:.3f} s at 1 ({at_n[impl] / at_1[impl]:.2f}×)"
    rows.append(dict(text=f"Crash failover at {n:,} masters vs 1 master (ratio of swift-sentinel's own times)",
                     kind="scale_failover", **{impl: pair(impl) for impl in at_n},
                     ratio=ratio(at_n["swift"], at_1["swift"]), no_agreement=at_n["swift"] is None and kills("swift")))
    for key, text in (("tilt_entered", "TILT entered"), ("sdown_healthy", "Healthy masters marked +sdown")):
        v, t = figures(lambda impl: total(impl, key), str)
        rows.append(dict(text=f"{text} at {n:,} masters (sum over the 3 sentinels)", kind="zero", **t,
                         ratio=None, count=v["swift"]))
    return rows


def storm_targets(data, figures):
    """Issue 16's reconnect-storm rows: time until all clients are answered and their p99, each
    ≤ redis-sentinel's (a run that left clients unanswered has no time: "not all answered")."""
    clients = data["options"].get("storm_clients", 5000)
    if "storm" not in data:
        return []
    rows = []
    v, t = figures(lambda impl: storm_figure(data, impl, "all_answered_s"), lambda x: f"{x:.3f} s")
    for impl in t:
        if t[impl] is None and ok(data["storm"].get(impl, [])):
            t[impl] = "not all answered"
    rows.append(dict(text=f"Reconnect storm: {clients:,} clients, time until all are answered", kind="storm", **t,
                     ratio=ratio(v["swift"], v["redis"])))
    v, t = figures(lambda impl: storm_figure(data, impl, "p99_ms"), lambda x: f"{x:.1f} ms")
    rows.append(dict(text=f"Reconnect storm: {clients:,} clients, p99 latency (connect to reply)", kind="storm",
                     **t, ratio=ratio(v["swift"], v["redis"])))
    return rows


# ---------------------------------------------------------------------------------------------
# Current build against the baseline


def baseline_figures(data):
    """[(figure, unit, digits, better, current samples, baseline samples)]: every figure that
    both swift-sentinel builds of a run with a baseline produced, in the report's order."""
    if not data.get("baseline"):
        return []
    b = BASELINE

    def in_mib(kbs):
        return [kb / 1024 for kb in kbs]
    figures = [
        ("Crash failover, 1 master", "s", 3, "lower", crash_times(data, "swift"), crash_times(data, b)),
        ("Discovery after start, 1 master", "s", 3, "lower", discovery_times(data, "swift"), discovery_times(data, b)),
        ("RSS after discovery, 1 master", "MiB", 1, "lower",
         in_mib(rss_after_discovery(data, "swift")), in_mib(rss_after_discovery(data, b))),
    ]
    planned = data.get("planned", {})

    def planned_samples(key, value):
        return [value(r) for r in ok(planned.get(key, []))]
    for current, base, name in (("coordinated", f"{b}-coordinated", "COORDINATED"),
                                ("swift-classic", f"{b}-classic", "classic")):
        if current not in planned and base not in planned:
            continue
        for text, unit, digits, value in (
                ("acknowledged writes lost", "", 0, lambda r: r["lost"]),
                ("longest write stall", "ms", 0, lambda r: r["stall_ms"]),
                ("client errors", "", 0, lambda r: r["errors"]),
                ("all sentinels name the new master", "ms", 0, lambda r: r["switch_s"] * 1000)):
            figures.append((f"Planned failover {name}: {text}", unit, digits, "lower",
                            planned_samples(current, value), planned_samples(base, value)))
    queries = data.get("queries", {})

    def query_samples(impl, key, metric):
        return [r["cells"][key][metric] for r in ok(queries.get(impl, []))]
    if queries:
        for key, words, clients, _ in CELLS:
            command = f"`{' '.join(words[1:] if words[0] == 'SENTINEL' else words)}` -c {clients}"
            for text, unit, digits, better, metric in (("throughput", "rps", 0, "higher", "rps"),
                                                        ("p99", "ms", 3, "lower", "p99_ms"),
                                                        ("sentinel CPU per request", "µs", 1, "lower",
                                                         "server_us_per_request")):
                figures.append((f"{command} {text}", unit, digits, better, query_samples("swift", key, metric),
                                query_samples(b, key, metric)))
        figures.append(("RSS after the query load", "MiB", 1, "lower", in_mib(rss_after_load(data, "swift")),
                        in_mib(rss_after_load(data, b))))
        for key, words, clients, _ in CELLS:
            ir = [instructions_per_request(data, impl, key) for impl in ("swift", b)]
            command = f"`{' '.join(words[1:] if words[0] == 'SENTINEL' else words)}` -c {clients}"
            figures.append((f"{command} instructions per request (callgrind)", "", 0, "lower",
                            [x for x in ir[:1] if x is not None], [x for x in ir[1:] if x is not None]))
    storm = data.get("storm", {})
    if storm:
        def storm_samples(impl, key):
            return [r[key] for r in ok(storm.get(impl, [])) if r[key] is not None]
        for text, unit, digits, key in (("time until all are answered", "s", 3, "all_answered_s"),
                                        ("p99 latency", "ms", 1, "p99_ms"), ("failed clients", "", 0, "failed")):
            figures.append((f"Reconnect storm: {text}", unit, digits, "lower", storm_samples("swift", key),
                            storm_samples(b, key)))
    for scale in scale_points(data):
        fleets = scale.get("fleets", {})
        if not fleets:
            continue
        n = scale["masters"]

        def fleet_samples(impl, value):
            return value(fleets[impl]) if impl in fleets else []
        for text, unit, digits, value in (
                (f"Discovery of {n:,} masters", "s", 2, lambda f: [f["discovery_s"]]),
                (f"Idle CPU per sentinel at {n:,} masters", "%", 2, lambda f: f["idle_cpu_pct"]),
                (f"RSS per sentinel at {n:,} masters", "MiB", 1, lambda f: in_mib(x for x in f["rss_kb"] if x)),
                (f"Crash failover at {n:,} masters", "s", 3, lambda f: [t for t in f["failover_s"] if t is not None])):
            figures.append((text, unit, digits, "lower", fleet_samples("swift", value), fleet_samples(b, value)))
    return figures


def baseline_deltas(data):
    """[{"figure", "unit", "better", "current", "baseline" ({"median", "min", "max", "n"}),
    "change" (relative change of the median, current / baseline - 1, or None), "verdict"}]: the
    current build against the baseline. The verdict is "worse" or "better" when the current median
    lies beyond every baseline sample on that side, "within noise" when it lies inside the
    baseline's range (both compared at the precision the table shows); "too few samples" with fewer
    than 3 samples on either side."""
    rows = []
    for figure, unit, digits, better, current, base in baseline_figures(data):
        def stats(xs):
            return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)} if xs else None
        c, b = stats(current), stats(base)
        change = None
        if c and b:
            change = (c["median"] / b["median"] - 1) if b["median"] else (0.0 if c["median"] == 0 else None)
        if not c or not b:
            verdict_text = "not measured"
        elif c["n"] < 3 or b["n"] < 3:
            verdict_text = "too few samples"
        elif round(b["min"], digits) <= round(c["median"], digits) <= round(b["max"], digits):
            verdict_text = "within noise"
        else:
            lower = round(c["median"], digits) < round(b["min"], digits)
            verdict_text = "better" if lower == (better == "lower") else "worse"
        rows.append({"figure": figure, "unit": unit, "digits": digits, "better": better, "current": c,
                     "baseline": b, "change": change, "verdict": verdict_text})
    return rows


def format_delta(row):
    """(current, baseline, change) cells of one baseline_deltas row: median (min – max, n)."""
    def cell(st):
        if not st:
            return "–"
        d, unit = row["digits"], f" {row['unit']}" if row["unit"] else ""
        if st["n"] == 1:
            return f"{st['median']:,.{d}f}{unit}"
        return f"{st['median']:,.{d}f}{unit} ({st['min']:,.{d}f} – {st['max']:,.{d}f}, {st['n']})"
    change = "–" if row["change"] is None else f"{row['change'] * 100:+.1f} %"
    return cell(row["current"]), cell(row["baseline"]), change

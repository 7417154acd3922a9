"""The cost of the /metrics listener (issue 15), on the scale measurement's setup: N masters with one
replica each (fleet.DataFleet) and 3 sentinels of the same release build monitoring all of them.

  idle   each sentinel's CPU over a window after discovery has settled, fleets without
         `metrics-port` and with it (never scraped) alternating round by round: the listener and
         the registry must cost nothing measurable when nobody scrapes
  scrape one sentinel of a metrics fleet scraped `scrapes` times back to back over one keep-alive
         connection: its CPU time over the scrapes, less its idle rate over the same time, per
         scrape; and what that is at one scrape per second, in % of one core

`bench/metrics-cost` runs it alone; `bench/run` runs it as its `metrics` section. Both write
bench/results/issue15-metrics.md."""

import http.client
import statistics
import time

from benchlib import cpu_seconds, free_port
from fleet import DataFleet, SentinelFleet


def scrape_cost(port, pid, scrapes, idle_rate):
    """CPU seconds per scrape of `pid`'s /metrics on `port` (idle CPU rate subtracted), the
    response's size and its number of sample lines."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/metrics")
    body = connection.getresponse().read()  # warm-up (and the size)
    before, t0 = cpu_seconds(pid), time.monotonic()
    for _ in range(scrapes):
        connection.request("GET", "/metrics")
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"/metrics answered {response.status}")
    elapsed = time.monotonic() - t0
    spent = cpu_seconds(pid) - before
    connection.close()
    samples = sum(1 for line in body.decode().splitlines() if line and not line.startswith("#"))
    return {
        "cpu_s_per_scrape": max(0.0, spent - idle_rate * elapsed) / scrapes,
        "wall_s_per_scrape": elapsed / scrapes,
        "bytes": len(body),
        "samples": samples,
    }


def metrics_run(binary, masters=200, rounds=3, idle_seconds=15, settle_seconds=5, scrapes=200, log=print):
    data = DataFleet(masters)
    result = {"masters": masters, "rounds": rounds, "idle_seconds": idle_seconds, "scrapes": scrapes,
              "idle_off_pct": [], "idle_on_pct": []}
    try:
        result["data_start_s"] = data.start()
        log(f"metrics: {2 * masters} data nodes up in {result['data_start_s']:.1f} s")
        for r in range(rounds):
            # Who goes first changes every round, so that a drift of the machine hits both alike.
            for on in ((False, True) if r % 2 == 0 else (True, False)):
                metrics_ports = [free_port() for _ in data.sentinel_ports] if on else []
                lines = (lambda i: [f"metrics-port {metrics_ports[i]}"]) if on else None
                fleet = SentinelFleet(binary, data, f"metrics-{'on' if on else 'off'}-{r}", extra_lines=lines)
                try:
                    fleet.wait_discovered()
                    time.sleep(settle_seconds)
                    idle = fleet.idle_cpu(idle_seconds)
                    result["idle_on_pct" if on else "idle_off_pct"].extend(idle)
                    log(f"metrics: round {r + 1}, metrics {'on' if on else 'off'}: idle CPU "
                        + ", ".join(f"{x:.2f} %" for x in idle) + f" over {idle_seconds} s")
                    if on and "cpu_s_per_scrape" not in result:
                        pid = fleet.procs[0].pid
                        cost = scrape_cost(metrics_ports[0], pid, scrapes, idle[0] / 100)
                        result.update(cost)
                        result["pct_at_1_per_s"] = 100 * cost["cpu_s_per_scrape"]
                        log(f"metrics: {scrapes} scrapes of {cost['samples']} samples ({cost['bytes']} bytes): "
                            f"{1000 * cost['cpu_s_per_scrape']:.2f} ms CPU per scrape "
                            f"({1000 * cost['wall_s_per_scrape']:.2f} ms wall), "
                            f"{result['pct_at_1_per_s']:.2f} % of a core at one scrape per second")
                finally:
                    fleet.close()
    finally:
        data.close()
    off, on = result["idle_off_pct"], result["idle_on_pct"]
    result["idle_off_median_pct"] = statistics.median(off)
    result["idle_on_median_pct"] = statistics.median(on)
    return result


def markdown(result, command, machine):
    off, on = result["idle_off_pct"], result["idle_on_pct"]
    rows = [
        "# Issue 15: what /metrics costs",
        "",
        f"Command: `{command}` ({machine}). Setup: {result['masters']} masters with one replica each "
        f"(real redis-server processes), 3 sentinels of the release build monitoring all of them; "
        f"{result['rounds']} rounds, each a fleet without `metrics-port` and one with it (the order alternating), "
        f"idle CPU over {result['idle_seconds']} s per fleet after discovery settled "
        f"(per sentinel, % of one core).",
        "",
        "| figure | metrics off | metrics on |",
        "| --- | --- | --- |",
        f"| idle CPU per sentinel, median (min – max, {len(off)} samples) | "
        f"{statistics.median(off):.2f} % ({min(off):.2f} – {max(off):.2f}) | "
        f"{statistics.median(on):.2f} % ({min(on):.2f} – {max(on):.2f}) |",
        "",
        "Every sample, by round (" + "; ".join(
            f"round {r + 1}: off {', '.join(f'{x:.2f}' for x in off[3 * r:3 * r + 3])}, "
            f"on {', '.join(f'{x:.2f}' for x in on[3 * r:3 * r + 3])}" for r in range(result["rounds"])) + "). "
        "In some runs one sentinel of a fleet idled at 20–40 % for a whole window, with metrics off "
        "and on alike (seen in both while developing this): compare the medians.",
        "",
        f"Scrapes: {result['scrapes']} `GET /metrics` back to back on one keep-alive connection to one sentinel "
        f"({result['samples']} samples, {result['bytes']} bytes per answer). CPU time of the sentinel over them, "
        f"less its idle rate, per scrape: **{1000 * result['cpu_s_per_scrape']:.2f} ms** "
        f"(wall {1000 * result['wall_s_per_scrape']:.2f} ms per request): at one scrape per second that is "
        f"**{result['pct_at_1_per_s']:.2f} % of one core** (goal: < 5 %).",
        "",
        "Idle off vs on: the listener is one more accepting socket and the registry is created at "
        "startup; with nobody scraping, nothing runs. The two ranges overlap when the difference is "
        "within the machine's noise.",
    ]
    return "\n".join(rows) + "\n"

"""Instructions per request under `valgrind --tool=callgrind` (issue 16): a count that machine
noise does not move, beside the CPU time per request of the query cells.

A fresh standard topology (benchlib.Topology) whose first sentinel runs under callgrind (the other
two run natively), then:

1. idle: `callgrind_control --zero`, `idle_s` (10) seconds of idling, `callgrind_control --dump`:
   the instructions (Ir) the sentinel executes per second when nobody asks it anything (its timers,
   pings, hellos, and the INFO polls every 10 s: hence a window of 10 s), once before the cells and
   once after them; their mean is the idle rate;
2. each of the four query cells (queries.CELLS: GET-MASTER-ADDR-BY-NAME and SENTINEL MASTERS,
   `-c 1` and `-c 50`): a warm-up with a tenth of the requests (not counted), then `--zero`,
   redis-benchmark with N requests and `--dump` (a dump also zeroes): Ir over that window of D s;
3. instructions per request = (Ir of the window − idle rate × D) / N.

Two workarounds for Debian 12's valgrind 3.19, applied to both implementations alike (neither
changes an instruction the sentinel executes per request): the binary runs from a copy without
debug information (`strip --strip-debug`: valgrind 3.19 cannot read the DWARF 5 of the Swift
toolchain and gives up), and an LD_PRELOAD shim (built here with `cc`) passes `sigsuspend` a copy
of its mask: valgrind 3.19 writes into the mask it is given, and libdispatch's main thread, parked
in `sigsuspend` by `dispatchMain`, passes a constant one, so valgrind dies on a write to read-only
memory. Without valgrind, callgrind_control, strip or cc the step is skipped with a note.

Start-up, discovery and the warm-up are not counted (zeroed), and the idle work during the
window is subtracted. Under callgrind the sentinel runs ~50× slower, so N is small (20,000 by
default; the sentinel's work per request, not the client, is what is counted). Ir counts every
thread of the process (callgrind serialises them). The same idea for both implementations;
skipped (with a note in the report) when valgrind is not installed."""

import glob
import os
import shutil
import tempfile
import time

from benchlib import Topology, run_tool
from queries import CELLS, redis_benchmark

REQUESTS = 20_000
IDLE_S = 10.0


SHIM = r"""
#include <signal.h>
#include <unistd.h>
#include <sys/syscall.h>
int sigsuspend(const sigset_t *mask) { sigset_t copy = *mask; return syscall(SYS_rt_sigsuspend, &copy, 8); }
"""
TOOLS = ("valgrind", "callgrind_control", "strip", "cc")


def missing():
    """The tools this measurement needs that are not installed (empty: it can run)."""
    return [tool for tool in TOOLS if not shutil.which(tool)]


def _prepare(binary, directory):
    """(a copy of `binary` without debug information, the sigsuspend shim) in `directory`."""
    copy = os.path.join(directory, os.path.basename(binary))
    code, _, err = run_tool(["strip", "--strip-debug", "-o", copy, binary], timeout=120)
    if code != 0:
        raise RuntimeError(f"strip --strip-debug {binary} failed: {err.strip()[-300:]}")
    source, shim = os.path.join(directory, "sigsuspend-copy.c"), os.path.join(directory, "sigsuspend-copy.so")
    with open(source, "w") as f:
        f.write(SHIM)
    code, _, err = run_tool(["cc", "-shared", "-fPIC", "-O2", "-o", shim, source], timeout=120)
    if code != 0:
        raise RuntimeError(f"cc of the sigsuspend shim failed: {err.strip()[-300:]}")
    return copy, shim


def _control(pid, option):
    code, out, err = run_tool(["callgrind_control", option, str(pid)], timeout=60)
    if code != 0 or "OK" not in out:
        raise RuntimeError(f"callgrind_control {option} {pid} failed ({code}): {(out + err).strip()[-300:]}")


def _newest_dump_ir(directory, seen):
    """The `summary:` Ir of the one dump file written since `seen` (the set of files before)."""
    new = sorted(set(glob.glob(os.path.join(directory, "callgrind.out.*"))) - seen, key=os.path.getmtime)
    if not new:
        raise RuntimeError("callgrind wrote no dump")
    seen.update(new)
    with open(new[-1]) as f:
        for line in f:
            if line.startswith("summary:"):
                return int(line.split()[1])
    raise RuntimeError(f"no summary line in {new[-1]}")


def _window(pid, directory, seen, work):
    """Zeroes the counters, runs `work()`, dumps; returns (Ir, seconds between the two)."""
    _control(pid, "--zero")
    started = time.monotonic()
    work()
    _control(pid, "--dump")
    return _newest_dump_ir(directory, seen), time.monotonic() - started


def callgrind_run(binary, requests=REQUESTS, idle_s=IDLE_S):
    """{"cells": {key: {"ir_per_request", "requests", "idle_ir_per_s", "seconds", "window_ir"}},
    "idle_ir_per_s": [before, after]} of one implementation (see the module text)."""
    out = tempfile.mkdtemp(prefix="callgrind-bench-")
    topology = None
    try:
        copy, shim = _prepare(binary, out)
        # env execs valgrind in the same process: the pid stays the one callgrind_control needs
        wrap = ["env", f"LD_PRELOAD={shim}", "valgrind", "--tool=callgrind",
                f"--callgrind-out-file={out}/callgrind.out.%p"]
        topology = Topology(binary, prefix="callgrind-topology-", first_argv=wrap + [copy])
        topology.wait_discovered(timeout=120)
        port = topology.sentinels[0]
        pid = topology.sentinel_procs[port].pid
        seen = set(glob.glob(os.path.join(out, "callgrind.out.*")))

        def idle_rate():
            ir, seconds = _window(pid, out, seen, lambda: time.sleep(idle_s))
            return ir / seconds
        before = idle_rate()
        windows = {}
        for key, words, clients, _ in CELLS:
            n = max(clients * 20, requests)
            redis_benchmark(port, words, clients, max(clients * 10, n // 10))  # warm-up
            windows[key] = (n, *_window(pid, out, seen, lambda: redis_benchmark(port, words, clients, n)))
        after = idle_rate()
        rate = (before + after) / 2
        cells = {key: {"ir_per_request": (ir - rate * seconds) / n, "requests": n, "idle_ir_per_s": rate,
                       "seconds": seconds, "window_ir": ir} for key, (n, ir, seconds) in windows.items()}
        return {"cells": cells, "idle_ir_per_s": [before, after]}
    finally:
        if topology:
            topology.close()
        shutil.rmtree(out, ignore_errors=True)

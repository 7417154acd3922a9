"""Shared pieces of the benchmarks in bench/: a registry of started processes that are always
killed on exit (normal exit, exception, Ctrl-C, SIGTERM/SIGHUP, and — through
PR_SET_PDEATHSIG — even when the benchmark itself is killed), free loopback ports, a tiny RESP
client, bounded waits, /proc readings (RSS, CPU ticks), the machine description, the release
build, and the standard topology (a real redis-server master with two replicas and three
sentinels on 127.0.0.1, quorum 2)."""

import atexit
import ctypes
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REDIS_SENTINEL = "/usr/bin/redis-sentinel"
SWIFT_RELEASE = os.path.join(REPO, ".build", "release", "swift-sentinel")
PROCS = []

# ---------------------------------------------------------------------------------------------
# Process registry


def _die_with_parent():
    """In the child between fork and exec: SIGKILL when the benchmark process dies."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def spawn(args, log, procs=None):
    """Starts a process in its own session (Ctrl-C at the terminal does not reach it: the
    registry kills it), output to `log`. Registered in PROCS and, if given, in `procs`."""
    with open(log, "w") as out:
        p = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True, preexec_fn=_die_with_parent)
    PROCS.append(p)
    if procs is not None:
        procs.append(p)
    return p


def stop(processes):
    """Kills the given processes (SIGKILL), waits for them (bounded) and unregisters them."""
    processes = list(processes)
    for p in processes:
        if p.poll() is None:
            try:
                p.kill()
            except OSError:
                pass
    for p in processes:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if p in PROCS:
            PROCS.remove(p)


def cleanup():
    """Kills every process started with spawn() or run_tool() and waits for it (bounded)."""
    stop(list(PROCS))


def run_tool(args, timeout):
    """Runs a helper program (registered while it runs) and returns (returncode, stdout,
    stderr); kills it after `timeout` seconds and raises TimeoutError."""
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         text=True, start_new_session=True, preexec_fn=_die_with_parent)
    PROCS.append(p)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop([p])
        raise TimeoutError(f"{args[0]} did not finish within {timeout} s")
    finally:
        if p in PROCS:
            PROCS.remove(p)
    return p.returncode, out, err


def _interrupted(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def install_cleanup():
    """Every registered process is killed at exit; SIGINT (also where a shell started us with it
    ignored), SIGTERM and SIGHUP unwind through the `finally` blocks, then exit."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupted)


atexit.register(cleanup)

# ---------------------------------------------------------------------------------------------
# Network and RESP


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encode(*args):
    return (f"*{len(args)}\r\n" + "".join(f"${len(str(a).encode())}\r\n{a}\r\n" for a in args)).encode()


def command(port, *args, timeout=1.0):
    """One RESP command over a fresh connection; returns the parsed reply (errors as Exception)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(encode(*args))
        return read_reply(s.makefile("rb"))


def pipeline(port, commands, timeout=10.0):
    """Sends all commands (lists of words) on one connection, then reads every reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"".join(encode(*c) for c in commands))
        f = s.makefile("rb")
        return [read_reply(f) for _ in commands]


def read_reply(f):
    line = f.readline()
    if not line:
        raise ConnectionError("closed")
    kind, rest = line[:1], line[1:-2].decode()
    if kind == b"+":
        return rest
    if kind == b"-":
        return Exception(rest)
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        return f.read(n + 2)[:-2].decode()
    if kind == b"*":
        n = int(rest)
        if n < 0:
            return None
        return [read_reply(f) for _ in range(n)]
    raise ValueError(f"unexpected reply {line!r}")


def info(port, section, timeout=1.0):
    """INFO <section> as a dict."""
    text = command(port, "INFO", section, timeout=timeout)
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def fields(flat):
    """A flat [name, value, name, value, ...] reply as a dict."""
    return dict(zip(flat[::2], flat[1::2]))


def wait_until(predicate, timeout, what, interval=0.01):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if predicate():
                return
        except (OSError, ConnectionError, ValueError):
            pass
        time.sleep(interval)
    raise TimeoutError(what)


# ---------------------------------------------------------------------------------------------
# /proc readings

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def rss_kb(pid, field="VmRSS"):
    """VmRSS (or another kB field of /proc/<pid>/status, e.g. RssAnon: the private part) of a
    process in kB (None if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def mem_available_kb():
    """MemAvailable of /proc/meminfo in kB: what the machine can still hand out."""
    with open("/proc/meminfo") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("MemAvailable:"))


def open_fds(pid):
    """How many file descriptors a process holds (None if it is gone)."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        after_name = f.read().rsplit(")", 1)[1].split()
    return (int(after_name[11]) + int(after_name[12])) / CLOCK_TICKS


# ---------------------------------------------------------------------------------------------
# Build and machine


def build_release():
    print("building swift-sentinel (release)...", flush=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "swift-sentinel"], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    return SWIFT_RELEASE


def swift_binary(no_build):
    """The release binary, built first unless `no_build`."""
    binary = SWIFT_RELEASE if no_build else build_release()
    if not os.path.exists(binary):
        sys.exit(f"{binary} is missing: run without --no-build")
    return binary


def _git(*args):
    return subprocess.run(["git", "-C", REPO, *args], check=True, capture_output=True, text=True).stdout.strip()


def _seed_dependencies(tree):
    """Copies this checkout's resolved dependencies (Package.resolved, .build/repositories,
    .build/checkouts, workspace-state.json) into `tree`, so that its build fetches nothing."""
    if os.path.exists(os.path.join(REPO, "Package.resolved")):
        shutil.copy2(os.path.join(REPO, "Package.resolved"), tree)
    os.makedirs(os.path.join(tree, ".build"), exist_ok=True)
    for name in ("repositories", "checkouts", "artifacts", "workspace-state.json"):
        source = os.path.join(REPO, ".build", name)
        target = os.path.join(tree, ".build", name)
        if os.path.isdir(source):
            shutil.copytree(source, target, symlinks=True)
        elif os.path.exists(source):
            shutil.copy2(source, target)


def baseline_binary(rev):
    """The release binary of commit `rev`, built once in a temporary detached git worktree under
    /tmp (removed afterwards) and cached as .build/baseline-<sha>/swift-sentinel; a later call for
    the same commit reuses the cached binary."""
    try:
        sha = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    except subprocess.CalledProcessError:
        sys.exit(f"--baseline-commit {rev}: not a commit of {REPO}")
    cached = os.path.join(REPO, ".build", f"baseline-{sha}", "swift-sentinel")
    if os.path.exists(cached):
        print(f"baseline {sha[:7]}: cached {cached}", flush=True)
        return cached
    tree = tempfile.mkdtemp(prefix=f"swift-sentinel-baseline-{sha[:7]}-")
    os.rmdir(tree)  # git worktree add creates it
    print(f"baseline {sha[:7]}: building the release binary in {tree} (several minutes)...", flush=True)
    try:
        _git("worktree", "add", "--detach", tree, sha)
        _seed_dependencies(tree)
        log = os.path.join(tempfile.gettempdir(), f"swift-sentinel-baseline-{sha[:7]}-build.log")
        with open(log, "w") as out:
            build = subprocess.Popen(["swift", "build", "-c", "release", "--product", "swift-sentinel"], cwd=tree,
                                     stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, preexec_fn=_die_with_parent)
            code = None
            try:
                code = build.wait()
            finally:
                if code != 0:
                    try:  # the compiler jobs too: the build runs in its own process group
                        os.killpg(build.pid, signal.SIGKILL)
                    except OSError:
                        pass
                    build.wait()
        if code != 0:
            sys.exit(f"baseline {sha[:7]}: swift build failed ({code}); see {log}")
        os.makedirs(os.path.dirname(cached), exist_ok=True)
        partial = cached + ".partial"
        shutil.copy2(os.path.join(tree, ".build", "release", "swift-sentinel"), partial)
        os.replace(partial, cached)
        os.remove(log)
        print(f"baseline {sha[:7]}: cached {cached}", flush=True)
        return cached
    finally:
        subprocess.run(["git", "-C", REPO, "worktree", "remove", "--force", tree], capture_output=True)
        shutil.rmtree(tree, ignore_errors=True)
        subprocess.run(["git", "-C", REPO, "worktree", "prune"], capture_output=True)


def binary_commit(binary):
    """The commit a cached baseline binary was built from (its .build/baseline-<sha>/ directory),
    or None for another path."""
    parent = os.path.basename(os.path.dirname(os.path.abspath(binary)))
    return parent[len("baseline-"):] if parent.startswith("baseline-") else None


def machine():
    return f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, {os.uname().release}"


def _first_line(args):
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=30).stdout.strip()
        return out.splitlines()[0] if out else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def machine_info():
    """The machine and the programs measured, for the report."""
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = next(int(line.split()[1]) for line in f if line.startswith("MemTotal:"))
    commit = _first_line(["git", "-C", REPO, "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", REPO, "diff", "--quiet", "HEAD", "--", "Sources", "Package.swift"],
                           capture_output=True).returncode != 0
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cores": os.cpu_count(),
        "cpu": model,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "load_at_start": [round(x, 2) for x in os.getloadavg()],
        "swift_sentinel_commit": commit + (" + uncommitted changes in Sources/" if dirty else ""),
        "swift": _first_line(["swift", "--version"]),
        "redis_sentinel": _first_line([REDIS_SENTINEL, "--version"]),
        "redis_benchmark": _first_line(["redis-benchmark", "--version"]),
    }


def venv_python():
    path = os.path.join(REPO, ".venv", "bin", "python")
    if not os.path.exists(path):
        sys.exit(f"{path} is missing: run scripts/demo or .ci/run once (they create .venv with redis-py)")
    return path


# ---------------------------------------------------------------------------------------------
# The standard topology


class Topology:
    """A master, two replicas and three sentinels in a temporary directory; close() kills them
    and removes the directory. `launched` is the monotonic time right after the last sentinel
    was started. `extra_lines`: more configuration lines for every sentinel (e.g. `tcp-backlog`);
    `first_argv`: the first sentinel's command instead of `sentinel_binary` (e.g. under valgrind;
    its configuration file is appended)."""

    def __init__(self, sentinel_binary, down_after=1000, failover_timeout=10000, prefix="bench-", extra_lines=(),
                 first_argv=()):
        self.work = tempfile.mkdtemp(prefix=prefix)
        self.procs = []
        self.extra_lines, self.first_argv = list(extra_lines), list(first_argv)
        try:
            self._start(sentinel_binary, down_after, failover_timeout)
        except BaseException:
            self.close()
            raise

    def _start(self, sentinel_binary, down_after, failover_timeout):
        ports = [free_port() for _ in range(3)]
        self.master, self.replicas = ports[0], ports[1:]
        self.redis = {}
        for i, port in enumerate(ports):
            args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--dir", self.work, "--dbfilename", f"d{port}.rdb", "--repl-diskless-sync-delay", "0"]
            if i > 0:
                args += ["--replicaof", "127.0.0.1", str(self.master)]
            self.redis[port] = spawn(args, os.path.join(self.work, f"redis-{port}.log"), self.procs)
        wait_until(lambda: "connected_slaves:2" in command(self.master, "INFO", "replication"), 20, "replicas online")
        self.sentinels = [free_port() for _ in range(3)]
        self.sentinel_procs = {}
        for port in self.sentinels:
            conf = os.path.join(self.work, f"sentinel-{port}.conf")
            with open(conf, "w") as c:
                c.write(f"port {port}\nbind 127.0.0.1\ndir {self.work}\n"
                        f"sentinel monitor mymaster 127.0.0.1 {self.master} 2\n"
                        f"sentinel down-after-milliseconds mymaster {down_after}\n"
                        f"sentinel failover-timeout mymaster {failover_timeout}\n")
                c.write("".join(line + "\n" for line in self.extra_lines))
            argv = self.first_argv if port == self.sentinels[0] and self.first_argv else [sentinel_binary]
            self.sentinel_procs[port] = spawn(argv + [conf],
                                              os.path.join(self.work, f"sentinel-{port}.log"), self.procs)
        self.launched = time.monotonic()

    def wait_discovered(self, timeout=30):
        """Polls every sentinel every 2 ms until each reports both replicas and both peers;
        returns the seconds from the last sentinel's launch until the last one did."""
        done = {}
        end = time.monotonic() + timeout
        while time.monotonic() < end and len(done) < len(self.sentinels):
            for port in self.sentinels:
                if port in done:
                    continue
                try:
                    m = fields(command(port, "SENTINEL", "MASTER", "mymaster"))
                except (OSError, ConnectionError, ValueError, TypeError):
                    continue
                if m.get("num-slaves") == "2" and m.get("num-other-sentinels") == "2":
                    done[port] = time.monotonic() - self.launched
            time.sleep(0.002)
        if len(done) < len(self.sentinels):
            raise TimeoutError("sentinel discovery")
        return max(done.values())

    def wait_settled(self, timeout=30):
        """Until every sentinel knows both replicas and both peers."""
        self.wait_discovered(timeout)

    def sentinel_rss_kb(self):
        return [rss_kb(self.sentinel_procs[port].pid) for port in self.sentinels]

    def wait_all_answer_other_than(self, old_port, since, timeout=30):
        """Polls GET-MASTER-ADDR-BY-NAME on every sentinel every 2 ms until all name another
        port; returns (seconds from `since` until the last one did, new port) or None."""
        return wait_all_answer_other_than(self.sentinels, "mymaster", old_port, since, timeout)

    def close(self, keep=False):
        stop(self.procs)
        if keep:
            print(f"kept {self.work}", flush=True)
        else:
            shutil.rmtree(self.work, ignore_errors=True)


def wait_all_answer_other_than(sentinels, name, old_port, since, timeout=30):
    """Polls `SENTINEL GET-MASTER-ADDR-BY-NAME name` on every sentinel every 2 ms until all name
    another port; returns (seconds from `since` until the last one did, new port) or None."""
    answered, new_port = {}, None
    end = time.monotonic() + timeout
    while time.monotonic() < end and len(answered) < len(sentinels):
        for port in sentinels:
            if port in answered:
                continue
            try:
                reply = command(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", name, timeout=0.5)
            except (OSError, ConnectionError, ValueError):
                continue
            if isinstance(reply, list) and reply[1] != str(old_port):
                answered[port] = time.monotonic() - since
                new_port = int(reply[1])
        time.sleep(0.002)
    if len(answered) < len(sentinels):
        return None
    return max(answered.values()), new_port

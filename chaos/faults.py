"""The faults of the matrix, one function each, and `run_fault`, which runs one of them on a fresh
cluster and returns the checker's figures.

A fault function gets a `Run` (cluster, lab, options), applies the fault, undoes it (heal, SIGCONT,
restore) and returns the monotonic time of the heal (for kills: of the kill), plus notes. Every
wait is bounded; the load is two writers at `--rate` writes/s each for at most 120 s."""

import contextlib
import os
import signal
import socket
import subprocess
import time

from benchlib import encode, read_reply, spawn, stop, venv_python, wait_until
from lab import CLIENTS, HOSTS, OBSERVER, REDIS_PORT, SENTINEL_PORT, SENTINEL_UID, Cluster, command, ip_of
from observe import Observer, check, config_names_port, read_writer_log

WRITER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "writer.py")
ORIGINAL = REDIS_PORT["h1"]


class Run:
    def __init__(self, lab, cluster, observer, options, log):
        self.lab, self.cluster, self.observer, self.options, self.log = lab, cluster, observer, options, log
        self.excluded = set()  # sentinels killed on purpose: not asked to agree
        self.notes = []


# ---------------------------------------------------------------------------------------------
# nftables rules (table inet chaos in a host's namespace)


def drop_between(lab, side_a, side_b):
    """Symmetric partition: every namespace of one side drops all traffic from and to the other."""
    for mine, other in ((side_a, side_b), (side_b, side_a)):
        ips = ", ".join(ip_of(n) for n in other)
        for ns in mine:
            lab.nft(ns, f"""table inet chaos {{
  chain input {{ type filter hook input priority 0; ip saddr {{ {ips} }} drop; }}
  chain output {{ type filter hook output priority 0; ip daddr {{ {ips} }} drop; }}
}}
""")


def heal(lab):
    lab.clear_rules()


def partition_master(run):
    """h1 (the master) and writer A cut off from h2, h3 and writer B for --partition-seconds."""
    drop_between(run.lab, ["h1", "cli"], ["h2", "h3", "cli2"])
    time.sleep(run.options.partition_seconds)
    heal(run.lab)
    return time.monotonic()


def partition_sentinel(run):
    """h3's sentinel alone (uid 65534, its connections marked by conntrack) cut off from every
    other namespace but the observer; h3's redis-server keeps replicating."""
    obs = ip_of(OBSERVER[0])
    run.lab.nft("h3", f"""table inet chaos {{
  chain output {{ type filter hook output priority 0; oif "lo" accept; ip daddr {obs} accept;
    meta skuid {SENTINEL_UID} ct mark set 0x1 drop; }}
  chain input {{ type filter hook input priority 0; iif "lo" accept; ip saddr {obs} accept;
    tcp dport {SENTINEL_PORT} drop; ct mark 0x1 drop; }}
}}
""")
    time.sleep(run.options.partition_seconds)
    heal(run.lab)
    return time.monotonic()


def partition_asymmetric(run):
    """h1 receives nothing from h2, h3 and writer B, but what it sends still arrives (one-way
    input drop in h1's namespace); writer A stays with h1."""
    ips = ", ".join(ip_of(n) for n in ("h2", "h3", "cli2"))
    run.lab.nft("h1", f"""table inet chaos {{
  chain input {{ type filter hook input priority 0; ip saddr {{ {ips} }} drop; }}
}}
""")
    time.sleep(run.options.partition_seconds)
    heal(run.lab)
    return time.monotonic()


def loss(run):
    """--loss-percent of the packets arriving at every host and client namespace dropped at random
    (nft numgen), for 2 x --partition-seconds; the observer's own traffic is spared."""
    obs = ip_of(OBSERVER[0])
    for ns in list(HOSTS) + list(CLIENTS):
        run.lab.nft(ns, f"""table inet chaos {{
  chain input {{ type filter hook input priority 0; ip saddr {obs} accept;
    numgen random mod 100 < {run.options.loss_percent} drop; }}
}}
""")
    time.sleep(2 * run.options.partition_seconds)
    heal(run.lab)
    return time.monotonic()


def freeze_master(run):
    """SIGSTOP of h1's redis-server and sentinel for down-after + 4 s, then SIGCONT."""
    run.cluster.freeze("h1", True)
    time.sleep(run.cluster.down_after / 1000 + 4)
    run.cluster.freeze("h1", False)
    return time.monotonic()


def _kill_master_and_wait(run):
    killed = time.monotonic()
    run.cluster.kill("h1", "redis")
    wait_until(lambda: run.observer.agreed() not in (None, ORIGINAL), 30, "agreement after the master's crash",
               interval=0.02)
    return killed


def config_readonly(run):
    """Every sentinel's config directory is a 1 MiB tmpfs, remounted read-only; then kill -9 of
    the master (a failover must persist its new config and cannot); remounted rw after agreement."""
    for h in HOSTS:
        subprocess.run(["mount", "-o", "remount,ro", run.cluster.conf_dir(h)], check=True)
    try:
        t = _kill_master_and_wait(run)
    finally:
        for h in HOSTS:
            subprocess.run(["mount", "-o", "remount,rw", run.cluster.conf_dir(h)], check=False)
    return t


def config_full(run):
    """Every sentinel's config directory is a 256 KiB tmpfs, filled up; then kill -9 of the master;
    the filler is removed after agreement."""
    fillers = []
    for h in HOSTS:
        path = os.path.join(run.cluster.conf_dir(h), "filler")
        subprocess.run(["dd", "if=/dev/zero", f"of={path}", "bs=4k", "count=1000"], capture_output=True)
        fillers.append(path)
    try:
        t = _kill_master_and_wait(run)
    finally:
        for path in fillers:
            try:
                os.remove(path)
            except OSError:
                pass
    return t


def config_deleted(run):
    """Every sentinel's config file deleted; then kill -9 of the master. Notes whether the files
    exist again (and name the new master) 2 s after agreement."""
    for h in HOSTS:
        os.remove(run.cluster.conf_path(h))
    t = _kill_master_and_wait(run)
    time.sleep(2)
    final = run.observer.agreed()
    back = [h for h in HOSTS if config_names_port(run.cluster.conf_path(h), final)]
    run.notes.append(f"config files rewritten with the new master: {len(back)}/3")
    return t


# --- coordinated failover (swift-sentinel only) -------------------------------------------------

LEADER = "h2"
PHASES = {
    # phase: (how it is detected, the trigger)
    "election": "a peer's `+vote-for-leader` (the leader is counting votes, or has just won)",
    "hello-hold": "the leader's `+selected-slave` (after `+elected-leader`; the hold notices go out in the same step)",
    "paused": "the leader's `+coordinated-failover` (pause and FAILOVER sent, record written)",
    "promoted": "the target's `ROLE` answering master (polled every ~1 ms), usually before the leader logs it",
    "before-release": "the leader's `+promoted-slave` (the peers are asked to confirm; the release follows their answers)",
}
EVENTS = ["+try-failover", "+elected-leader", "+selected-slave", "+coordinated-failover ", "+promoted-slave",
          "+coordinated-failover-released", "+switch-master"]


def _tail_until(paths, marker, deadline):
    """Polls the files ({path: offset}) every ~1 ms until `marker` appears in one of them after
    its offset; returns True if seen."""
    with contextlib.ExitStack() as stack:
        seen = {}
        for path, offset in paths.items():
            f = stack.enter_context(open(path, "rb"))
            f.seek(offset)
            seen[f] = b""
        while time.monotonic() < deadline:
            for f in seen:
                seen[f] += f.read()
                if marker.encode() in seen[f]:
                    return True
            time.sleep(0.001)
    return False


def _target_promoted(deadline):
    """Polls the replicas h2 and h3 with ROLE until one answers master; returns it."""
    with contextlib.ExitStack() as stack:
        conns = {h: stack.enter_context(socket.create_connection((ip_of(h), REDIS_PORT[h]), timeout=1))
                 for h in HOSTS if h != "h1"}
        replies = {h: s.makefile("rb") for h, s in conns.items()}
        while time.monotonic() < deadline:
            for h, s in conns.items():
                s.sendall(encode("ROLE"))
                reply = read_reply(replies[h])
                if isinstance(reply, list) and reply and reply[0] == "master":
                    return h
            time.sleep(0.0005)
    return None


def coordinated_kill(run, phase, victim=None):
    """`SENTINEL FAILOVER mymaster COORDINATED` to the sentinel on h2 (the leader); kill -9 of the
    leader (or of `victim`) when `phase` is detected."""
    victim = victim or LEADER
    offsets = {h: os.path.getsize(run.cluster.sentinel_log_path(h)) for h in HOSTS}
    log_path = run.cluster.sentinel_log_path(LEADER)
    offset = offsets[LEADER]
    reply = command(ip_of(LEADER), SENTINEL_PORT, "SENTINEL", "FAILOVER", "mymaster", "COORDINATED", timeout=5)
    sent = time.monotonic()
    if isinstance(reply, Exception):
        raise RuntimeError(f"SENTINEL FAILOVER mymaster COORDINATED: {reply}")
    deadline = sent + 15
    markers = {"hello-hold": "+selected-slave", "paused": "+coordinated-failover ", "before-release": "+promoted-slave"}
    if phase == "promoted":
        seen = _target_promoted(deadline) is not None
    elif phase == "election":
        peers = {run.cluster.sentinel_log_path(h): offsets[h] for h in HOSTS if h != LEADER}
        seen = _tail_until(peers, "+vote-for-leader", deadline)
    else:
        seen = _tail_until({log_path: offset}, markers[phase], deadline)
    killed = time.monotonic()
    run.cluster.kill(victim, "sentinel")
    run.excluded.add(victim)
    if not seen:
        run.notes.append(f"phase {phase} not detected within 15 s (killed then)")
    run.notes.append(f"killed {victim} {1000 * (killed - sent):.0f} ms after the command")
    time.sleep(0.05)
    text = run.cluster.sentinel_log(LEADER)[offset:] if LEADER == victim else ""
    if text:
        reached = [e.strip() for e in EVENTS if e in text]
        run.notes.append("leader's last event: " + (reached[-1] if reached else "none"))
    # Killed before the pause, the handover must not happen (the master was never paused); after
    # it, a peer must finish it. Either way: past the pause, every live sentinel agrees.
    time.sleep(max(0.0, killed + run.cluster.down_after / 1000 + 1.0 - time.monotonic()))
    wait_until(lambda: run.observer.agreed(run.excluded) is not None, 30,
               "the live sentinels agree on a master", interval=0.02)
    return killed


def coordinated_peer(run):
    """kill -9 of h3's sentinel, a peer that got the hold notice and stores the coordinated record,
    right after the leader (h2) paused the master."""
    return coordinated_kill(run, "paused", victim="h3")


# (key, title, function, implementations, cluster options, is a partition (compare with redis),
#  is coordinated (0 lost, stall <= t))
FAULTS = [
    ("partition-master", "The master's host (and writer A) partitioned from the others",
     partition_master, ("swift", "redis"), {}, True, False),
    ("partition-master-minreplicas", "The same with `min-replicas-to-write 1`, `min-replicas-max-lag 2` on the data nodes",
     partition_master, ("swift", "redis"), {"min_replicas": (1, 2)}, True, False),
    ("partition-sentinel", "One sentinel (h3's) partitioned, its redis-server not",
     partition_sentinel, ("swift", "redis"), {}, True, False),
    ("partition-asymmetric", "Asymmetric: the master's host receives nothing from the others, its packets still arrive",
     partition_asymmetric, ("swift", "redis"), {}, True, False),
    ("loss", "Random packet loss on every host (nft numgen)", loss, ("swift", "redis"), {}, True, False),
    ("freeze-master", "The master's host frozen (SIGSTOP of its redis-server and sentinel) past down-after",
     freeze_master, ("swift", "redis"), {}, True, False),
    ("config-readonly", "Config directories read-only (tmpfs remounted ro), then kill -9 of the master",
     config_readonly, ("swift", "redis"), {"tmpfs_size": "1m"}, False, False),
    ("config-full", "Config directories full (256 KiB tmpfs filled), then kill -9 of the master",
     config_full, ("swift", "redis"), {"tmpfs_size": "256k"}, False, False),
    ("config-deleted", "Config files deleted at run time, then kill -9 of the master",
     config_deleted, ("swift", "redis"), {}, False, False),
] + [
    (f"coordinated-kill-{phase}", f"`SENTINEL FAILOVER mymaster COORDINATED` to h2's sentinel (swift-sentinel only), "
     f"kill -9 of that leader at the phase *{phase}*, detected by {how}",
     (lambda p: lambda run: coordinated_kill(run, p))(phase), ("swift",), {}, False, True)
    for phase, how in PHASES.items()
] + [
    ("coordinated-kill-peer", "`SENTINEL FAILOVER mymaster COORDINATED` to h2's sentinel (swift-sentinel only), "
     "kill -9 of h3's sentinel, a peer holding the coordinated record, at the leader's `+coordinated-failover`",
     coordinated_peer, ("swift",), {}, False, True),
]


def run_fault(lab, key, binary, options, work, log):
    _, _, function, _, cluster_options, _, _ = next(f for f in FAULTS if f[0] == key)
    cluster = Cluster(lab, binary, work, down_after=options.down_after, **cluster_options)
    writers = []
    observer = None
    try:
        discovery = cluster.wait_discovered()
        time.sleep(1.5)
        observer = Observer(cluster)
        observer.start()
        stop_file = os.path.join(work, "stop")
        logs = []
        sentinels = ",".join(f"{ip_of(h)}:{SENTINEL_PORT}" for h in HOSTS)
        for ns in CLIENTS:
            path = os.path.join(work, f"writer-{ns}.tsv")
            logs.append(path)
            writers.append(spawn(["ip", "netns", "exec", lab.ns(ns), venv_python(), WRITER, "--sentinels", sentinels,
                                  "--prefix", ns, "--rate", str(options.rate), "--seconds", "120", "--log", path,
                                  "--stop-file", stop_file], os.path.join(work, f"writer-{ns}.log"), cluster.procs))
        wait_until(lambda: all(len(read_writer_log(p)[0]) >= options.rate for p in logs), 30,
                   "1 s of acknowledged writes from each writer", interval=0.1)
        run = Run(lab, cluster, observer, options, log)
        t_fault = time.monotonic()
        t_heal = function(run)
        # Settle: every live sentinel agrees and the old master is no master any more (bounded).
        try:
            wait_until(lambda: observer.agreed(run.excluded) is not None, options.settle_seconds,
                       "agreement after the heal", interval=0.02)
        except TimeoutError:
            run.notes.append(f"no agreement within {options.settle_seconds} s of the heal")
        time.sleep(1.0)
        with open(stop_file, "w"):
            pass
        for w in writers:
            try:
                w.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        stop(writers)
        t_end = time.monotonic()
        observer.stop()
        result = check(cluster, observer, logs, t_fault, t_heal, ORIGINAL, run.excluded, t_end)
        result["discovery_s"] = discovery
        result["crashes"] = cluster.crashes()
        result["rss_kb"] = cluster.sentinel_rss_kb()
        result["notes"] = run.notes
        result["heal_after_fault_s"] = t_heal - t_fault
        return result
    finally:
        if observer is not None:
            observer.stop()
        heal(lab)
        cluster.close()


__all__ = ["FAULTS", "PHASES", "run_fault", "signal"]

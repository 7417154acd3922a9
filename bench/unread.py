"""Issue 12, defect 8: what a client that pipelines a flood of commands and never reads its replies
does to the other clients. Starts one sentinel (loopback, free port, a tmp config; no data node is
needed), then measures a well-behaved client with `redis-benchmark -c 1 --csv SENTINEL
GET-MASTER-ADDR-BY-NAME mymaster` twice: alone, and while every 0.5 s a new connection writes
100,000 pipelined commands (`SENTINEL GET-MASTER-ADDR-BY-NAME mymaster`, or `INFO`) and never reads
(each stays open until the run ends). Prints p50/p99/max of the well-behaved client and the
sentinel's RSS at the end.

    python3 bench/unread.py <sentinel binary> [<binary> ...]

Bounded: 6 floods of 100,000 commands per cell, loopback only, every process stopped at the end."""

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

FLOODS = 6
FLOOD_COMMANDS = 100_000
REQUESTS = 20_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encode(words):
    return b"".join([f"*{len(words)}\r\n".encode()] + [f"${len(w)}\r\n{w}\r\n".encode() for w in words])


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start_sentinel(binary, directory):
    port = free_port()
    conf = os.path.join(directory, "sentinel.conf")
    with open(conf, "w") as f:
        f.write(f"port {port}\nbind 127.0.0.1\ndir {directory}\nsentinel monitor mymaster 127.0.0.1 {free_port()} 2\n")
    log = open(os.path.join(directory, "sentinel.log"), "w")
    process = subprocess.Popen([binary, conf], stdout=log, stderr=log, close_fds=True)
    for _ in range(500):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(7) == b"+PONG\r\n":
                    return process, port
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise RuntimeError(f"{binary} did not answer PING")


def benchmark(port):
    out = subprocess.run(
        ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-c", "1", "-n", str(REQUESTS), "--csv",
         "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"],
        capture_output=True, text=True, timeout=300).stdout
    row = list(csv.DictReader(io.StringIO(out)))[-1]
    return float(row["p50_latency_ms"]), float(row["p99_latency_ms"]), float(row["max_latency_ms"])


def flood(port, words, stop, sockets):
    payload = encode(words) * FLOOD_COMMANDS
    for _ in range(FLOODS):
        if stop.is_set():
            return
        s = socket.create_connection(("127.0.0.1", port))
        sockets.append(s)
        s.settimeout(0.5)
        try:
            s.sendall(payload)  # the sentinel may stop reading it: then this times out
        except OSError:
            pass
        stop.wait(0.5)


def cell(port, words):
    stop, sockets = threading.Event(), []
    thread = threading.Thread(target=flood, args=(port, words, stop, sockets)) if words else None
    if thread:
        thread.start()
        time.sleep(0.05)
    result = benchmark(port)
    stop.set()
    if thread:
        thread.join()
    return result, sockets


def main():
    print(f"| sentinel | flood | p50 ms | p99 ms | max ms | RSS after, MB |")
    print(f"|---|---|---|---|---|---|")
    for binary in sys.argv[1:]:
        with tempfile.TemporaryDirectory() as directory:
            process, port = start_sentinel(binary, directory)
            try:
                for name, words in [("none", None), ("GET-MASTER-ADDR", ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"]),
                                    ("INFO", ["INFO"])]:
                    (p50, p99, top), sockets = cell(port, words)
                    rss = rss_kb(process.pid) / 1024
                    for s in sockets:
                        s.close()
                    print(f"| {binary} | {name} | {p50:.3f} | {p99:.3f} | {top:.3f} | {rss:.0f} |", flush=True)
                    time.sleep(0.5)
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


if __name__ == "__main__":
    main()

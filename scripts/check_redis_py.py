#!/usr/bin/env python3
"""Checks that redis-py's Sentinel support works against a set of sentinels.

Used by Tests/IntegrationTests/RedisPyTests.swift; can also be run by hand:

    .venv/bin/python scripts/check_redis_py.py --sentinels 127.0.0.1:26379,127.0.0.1:26380 \
        --master-name mymaster --expect-master 127.0.0.1:6379 \
        --expect-replicas 127.0.0.1:6380,127.0.0.1:6381

For every protocol (the library default, then 2, then 3) and every parser (hiredis, then the
pure-Python one) it runs discover_master, discover_slaves, master_for(...).set/get and
slave_for(...).get. Prints one line per check; exits 0 when all pass, 1 when any failed, and 3
when redis-py (or hiredis) cannot be imported.
"""

import argparse
import sys
import time
import uuid


def parse_address(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentinels", required=True, help="comma-separated host:port list")
    parser.add_argument("--master-name", default="mymaster")
    parser.add_argument("--expect-master", required=True, help="host:port")
    parser.add_argument("--expect-replicas", required=True, help="comma-separated host:port list")
    parser.add_argument("--protocols", default="default,2,3")
    parser.add_argument("--parsers", default="hiredis,python")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for replication")
    args = parser.parse_args()

    try:
        import redis
        from redis.sentinel import Sentinel
        from redis._parsers import _HiredisParser, _RESP2Parser
    except ImportError as error:
        print(f"FAIL redis-py is not importable by {sys.executable}: {error}. "
              "Install it with: python3 -m venv .venv && .venv/bin/pip install redis hiredis "
              "(./.ci/run does this)")
        return 3

    parsers = {"python": _RESP2Parser, "hiredis": _HiredisParser}
    wanted_parsers = [p for p in args.parsers.split(",") if p]
    if "hiredis" in wanted_parsers:
        try:
            import hiredis  # noqa: F401
        except ImportError as error:
            print(f"FAIL hiredis is not importable by {sys.executable}: {error}. "
                  "Install it with: .venv/bin/pip install hiredis (./.ci/run does this)")
            return 3

    print(f"redis-py {redis.__version__} ({sys.executable})")
    sentinels = [parse_address(item) for item in args.sentinels.split(",") if item]
    expected_master = parse_address(args.expect_master)
    expected_replicas = sorted(parse_address(item) for item in args.expect_replicas.split(",") if item)
    failures = 0

    for protocol_name in [p for p in args.protocols.split(",") if p]:
        for parser_name in wanted_parsers:
            label = f"protocol={protocol_name} parser={parser_name}"
            options = {"socket_timeout": 2.0, "socket_connect_timeout": 2.0,
                       "parser_class": parsers[parser_name]}
            if protocol_name != "default":
                options["protocol"] = int(protocol_name)
            try:
                failures += run_checks(Sentinel, sentinels, args, options, label,
                                       expected_master, expected_replicas)
            except Exception as error:  # any unexpected exception is a failure of this combination
                failures += 1
                print(f"FAIL {label}: {type(error).__name__}: {error}")

    print(f"{'FAILED' if failures else 'OK'}: {failures} check(s) failed")
    return 1 if failures else 0


def run_checks(Sentinel, sentinels, args, options, label, expected_master, expected_replicas):
    failures = 0

    def check(name, ok, detail=""):
        nonlocal failures
        if ok:
            print(f"ok   {label}: {name}")
        else:
            failures += 1
            print(f"FAIL {label}: {name} {detail}")

    from redis import ConnectionPool, Redis

    # The sentinel connections get the same protocol and parser as the data connections, so
    # that HELLO 3 and the RESP3 maps are exercised on the sentinel port itself. Redis() does
    # not take parser_class, so the sentinel clients are built on explicit pools.
    plain = {k: v for k, v in options.items() if k != "parser_class"}
    sentinel = Sentinel(sentinels, sentinel_kwargs=plain, **options)
    sentinel.sentinels = [Redis(connection_pool=ConnectionPool(host=host, port=port, **options))
                          for host, port in sentinels]

    for index, address in enumerate(sentinels):
        connection = sentinel.sentinels[index]
        ping = connection.ping()
        check(f"PING sentinel {address[0]}:{address[1]}", ping is True, repr(ping))
        pooled = connection.connection_pool.get_connection()
        proto = pooled.protocol
        connection.connection_pool.release(pooled)
        expected = options.get("protocol")
        check(f"sentinel {address[0]}:{address[1]} speaks protocol {proto}",
              expected is None or int(proto) == expected, f"expected {expected}")

    master = sentinel.discover_master(args.master_name)
    check("discover_master", tuple(master) == expected_master, f"got {master}, expected {expected_master}")

    replicas = sorted(tuple(item) for item in sentinel.discover_slaves(args.master_name))
    check("discover_slaves", replicas == expected_replicas, f"got {replicas}, expected {expected_replicas}")

    masters = sentinel.sentinels[0].sentinel_masters()
    state = masters.get(args.master_name) if isinstance(masters, dict) else None
    check("sentinel_masters has the master", state is not None and state.get("is_master") is True,
          repr(masters)[:300])

    key = f"it:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    writer = sentinel.master_for(args.master_name, **options)
    check("master_for(...).set", writer.set(key, value) is True)
    got = writer.get(key)
    check("master_for(...).get", got in (value, value.encode()), repr(got))

    reader = sentinel.slave_for(args.master_name, **options)
    deadline = time.monotonic() + args.timeout
    got = None
    while time.monotonic() < deadline:
        got = reader.get(key)
        if got in (value, value.encode()):
            break
        time.sleep(0.05)
    check("slave_for(...).get sees the write", got in (value, value.encode()), repr(got))

    role = reader.execute_command("ROLE")
    role_name = role[0].decode() if isinstance(role[0], bytes) else role[0]
    check("slave_for connects to a replica", role_name == "slave", repr(role))

    writer.delete(key)
    writer.close()
    reader.close()
    for connection in sentinel.sentinels:
        connection.close()
    return failures


if __name__ == "__main__":
    sys.exit(main())

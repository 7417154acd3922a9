#!/usr/bin/env python3
"""A client-compatibility follower for the Python libraries: redis-py (sync or asyncio, RESP2 or
RESP3, hiredis or the pure-Python parser), valkey-py (sync, RESP2) and coredis (asyncio, RESP3).

    .venv/bin/python scripts/clients/python_follower.py --client redis-py --mode asyncio \
        --protocol 3 --parser python --sentinels 127.0.0.1:26379,127.0.0.1:26380,127.0.0.1:26381 \
        --log follower.jsonl --stop-file stop --seconds 60

It does, through the library's own Sentinel support only:
 1. discovery: the library's discover-master and discover-replicas, once through each sentinel
    alone and once through all of them ("via": "all");
 2. a write through the sentinel-managed master client, read back through it and through the
    sentinel-managed replica client;
 3. a subscription to +switch-master on every sentinel, with the library's pub/sub;
 4. a loop that writes a fresh key every --interval seconds through the master client until
    the stop file exists or --seconds pass. Each SET is pipelined with CONFIG GET port, so each
    acknowledged write is logged with the port of the server that acknowledged it. Errors are
    logged and the loop goes on: following a failover is the library's job.

Every step is one JSON object a line in --log (the format shared by every follower in
scripts/clients/, see followerlog.py). Exits 0 after the loop, 3 when the library is missing.
"""

import argparse
import asyncio
import importlib
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in scripts/clients/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from followerlog import FollowerLog, address, parse_address  # noqa: E402

SOCKET = {"socket_timeout": 2.0, "socket_connect_timeout": 2.0}


def parser_class(lib, name, asynchronous):
    """The parser class to force: hiredis, or the pure-Python one (redis-py switches a RESP2
    parser to its RESP3 counterpart itself when protocol=3)."""
    if name is None:
        return None
    parsers = __import__(f"{lib.__name__}._parsers", fromlist=["_parsers"])
    prefix = "_Async" if asynchronous else "_"
    return getattr(parsers, f"{prefix}HiredisParser" if name == "hiredis" else f"{prefix}RESP2Parser")


def connection_options(lib, args, asynchronous):
    options = dict(SOCKET)
    if args.protocol:
        options["protocol"] = int(args.protocol)
    forced = parser_class(lib, args.parser, asynchronous)
    if forced is not None:
        options["parser_class"] = forced
    return options


def describe(lib, args, connection):
    """The variant actually in use on a data connection; raises when it is not the one asked
    for, so that a silently ignored option cannot pass as tested."""
    parser = type(getattr(connection, "_parser", None)).__name__
    protocol = getattr(connection, "protocol", None)
    if args.parser and ("Hiredis" in parser) != (args.parser == "hiredis"):
        raise RuntimeError(f"asked for the {args.parser} parser, the connection uses {parser}")
    if args.protocol and str(protocol) != args.protocol:
        raise RuntimeError(f"asked for protocol {args.protocol}, the connection uses {protocol}")
    return f"{args.client} {lib.__version__} {args.mode} protocol={protocol} parser={parser}"


# -- redis-py and valkey-py, sync --------------------------------------------------------------

def sync_sentinel(lib, addresses, options):
    """A Sentinel whose sentinel connections use the same protocol and parser as the data
    connections (Redis() takes no parser_class, so they are built on explicit pools)."""
    plain = {k: v for k, v in options.items() if k != "parser_class"}
    sentinel = lib.sentinel.Sentinel(addresses, sentinel_kwargs=plain, **options)
    sentinel.sentinels = [lib.Redis(connection_pool=lib.ConnectionPool(host=h, port=p, **options))
                          for h, p in addresses]
    return sentinel


def run_sync(lib, args, log):
    importlib.import_module(f"{lib.__name__}.sentinel")
    addresses = [parse_address(a) for a in args.sentinels.split(",")]
    options = connection_options(lib, args, asynchronous=False)
    for one in addresses:
        alone = sync_sentinel(lib, [one], options)
        log.discovered(address(*one), alone.discover_master(args.master_name),
                       alone.discover_slaves(args.master_name))
    sentinel = sync_sentinel(lib, addresses, options)
    log.discovered("all", sentinel.discover_master(args.master_name), sentinel.discover_slaves(args.master_name))

    master = sentinel.master_for(args.master_name, **options)
    replica = sentinel.slave_for(args.master_name, **options)

    def write(key, value):
        pipe = master.pipeline(transaction=False)
        pipe.set(key, value)
        pipe.config_get("port")
        ok, config = pipe.execute()
        return ok, config.get("port") or config.get(b"port")

    log.readback(write, master.get, replica.get, time.sleep)
    pool = master.connection_pool
    try:
        connection = pool.get_connection()
    except TypeError:  # valkey-py still takes a command name
        connection = pool.get_connection("PING")
    log.event("client", description=describe(lib, args, connection))
    pool.release(connection)

    subscriptions = []
    for client, (host, port) in zip(sentinel.sentinels, addresses):
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe("+switch-master")
        subscriptions.append((address(host, port), pubsub))
        log.event("subscribed", sentinel=address(host, port))

    def poll():
        for where, pubsub in subscriptions:
            try:
                while (message := pubsub.get_message(timeout=0)) is not None:
                    log.switch(where, message)
            except Exception as error:  # a broken subscription is logged, not fatal
                log.error(error, where=f"pubsub {where}")

    log.loop(write, poll, time.sleep)


# -- redis-py, asyncio --------------------------------------------------------------------------

def async_sentinel(lib, addresses, options):
    plain = {k: v for k, v in options.items() if k != "parser_class"}
    sentinel = lib.asyncio.sentinel.Sentinel(addresses, sentinel_kwargs=plain, **options)
    sentinel.sentinels = [lib.asyncio.Redis(connection_pool=lib.asyncio.ConnectionPool(host=h, port=p, **options))
                          for h, p in addresses]
    return sentinel


async def run_asyncio(lib, args, log):
    importlib.import_module(f"{lib.__name__}.asyncio.sentinel")
    addresses = [parse_address(a) for a in args.sentinels.split(",")]
    options = connection_options(lib, args, asynchronous=True)
    for one in addresses:
        alone = async_sentinel(lib, [one], options)
        log.discovered(address(*one), await alone.discover_master(args.master_name),
                       await alone.discover_slaves(args.master_name))
    sentinel = async_sentinel(lib, addresses, options)
    log.discovered("all", await sentinel.discover_master(args.master_name),
                   await sentinel.discover_slaves(args.master_name))

    master = sentinel.master_for(args.master_name, **options)
    replica = sentinel.slave_for(args.master_name, **options)

    async def write(key, value):
        pipe = master.pipeline(transaction=False)
        pipe.set(key, value)
        pipe.config_get("port")
        ok, config = await pipe.execute()
        return ok, config.get("port") or config.get(b"port")

    await log.areadback(write, master.get, replica.get)
    connection = await master.connection_pool.get_connection()
    log.event("client", description=describe(lib, args, connection))
    await master.connection_pool.release(connection)

    async def listen(client, where):
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe("+switch-master")
        log.event("subscribed", sentinel=where)
        while True:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is not None:
                    log.switch(where, message)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.error(error, where=f"pubsub {where}")
                await asyncio.sleep(0.1)

    listeners = [asyncio.create_task(listen(client, address(*a))) for client, a in zip(sentinel.sentinels, addresses)]
    await log.wait_subscribed(len(addresses))
    await log.aloop(write)
    for task in listeners:
        task.cancel()


# -- coredis, asyncio (RESP3 only) ---------------------------------------------------------------

async def run_coredis(coredis, args, log):
    import anyio
    from coredis.connection import TCPLocation
    locations = [TCPLocation(*parse_address(a)) for a in args.sentinels.split(",")]
    options = {"stream_timeout": 2.0, "connect_timeout": 2.0, "decode_responses": True}
    for one in locations:
        async with coredis.Sentinel([one], **options) as alone:
            log.discovered(address(one.host, one.port), await alone.discover_primary(args.master_name),
                           await alone.discover_replicas(args.master_name))
    async with coredis.Sentinel(locations, **options) as sentinel:
        log.discovered("all", await sentinel.discover_primary(args.master_name),
                       await sentinel.discover_replicas(args.master_name))
        primary = sentinel.primary_for(args.master_name)
        replica = sentinel.replica_for(args.master_name)
        async with primary, replica:
            async def write(key, value):
                async with primary.pipeline(transaction=False) as pipe:
                    ok = pipe.set(key, value)
                    config = pipe.config_get(["port"])
                return await ok, (await config).get("port")

            await log.areadback(write, primary.get, replica.get)
            log.event("client", description=f"coredis {coredis.__version__} asyncio protocol=3 (always HELLO 3)")

            async def listen(client, where):
                async with client.pubsub(channels=["+switch-master"], ignore_subscribe_messages=True) as pubsub:
                    log.event("subscribed", sentinel=where)
                    async for message in pubsub:
                        log.switch(where, message)

            async with anyio.create_task_group() as group:
                for client, location in zip(sentinel.sentinels, locations):
                    group.start_soon(listen, client, address(location.host, location.port))
                await log.wait_subscribed(len(locations))
                await log.aloop(write)
                group.cancel_scope.cancel()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--client", choices=["redis-py", "valkey-py", "coredis"], required=True)
    parser.add_argument("--mode", choices=["sync", "asyncio"], default="sync")
    parser.add_argument("--protocol", choices=["2", "3"], help="default: the library's")
    parser.add_argument("--parser", choices=["hiredis", "python"], help="default: the library's")
    FollowerLog.add_arguments(parser)
    args = parser.parse_args()
    log = FollowerLog(args)
    module = {"redis-py": "redis", "valkey-py": "valkey", "coredis": "coredis"}[args.client]
    try:
        lib = importlib.import_module(module)
        if args.parser == "hiredis":
            import hiredis  # noqa: F401
    except ImportError as error:
        log.event("fatal", detail=f"{args.client} is not importable by {sys.executable}: {error}")
        return 3
    with log.guard():
        if args.client == "coredis":
            asyncio.run(run_coredis(lib, args, log))
        elif args.mode == "asyncio":
            asyncio.run(run_asyncio(lib, args, log))
        else:
            run_sync(lib, args, log)
    return log.finish()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""A RESP-logging TCP proxy: records every command a client sends to a sentinel.

    python3 scripts/clients/resp_proxy.py --log commands.txt 127.0.0.1:36379=127.0.0.1:26379 ...

Each LISTEN=TARGET pair accepts connections on LISTEN and forwards them, both ways, to TARGET.
The client-to-server bytes are decoded as RESP (arrays of bulk strings, or inline commands)
and each command is appended to the log as one line:
    <target port> <connection number> <command and arguments, space-separated>
Replies are forwarded untouched and not logged. Runs until killed. Used to write
docs/clients.md; loopback only.
"""

import argparse
import asyncio
import itertools

counter = itertools.count(1)


def parse_commands(buffer):
    """Splits complete commands off the front of buffer; returns (commands, rest)."""
    commands = []
    while buffer:
        if buffer[:1] != b"*":  # inline command
            end = buffer.find(b"\r\n")
            if end < 0:
                break
            commands.append(buffer[:end].decode(errors="replace").split())
            buffer = buffer[end + 2 :]
            continue
        end = buffer.find(b"\r\n")
        if end < 0:
            break
        count, position, words = int(buffer[1:end]), end + 2, []
        for _ in range(count):
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                return commands, buffer
            length = int(buffer[position + 1 : line_end])
            start, position = line_end + 2, line_end + 2 + length + 2
            if position > len(buffer):
                return commands, buffer
            words.append(buffer[start : start + length].decode(errors="replace"))
        commands.append(words)
        buffer = buffer[position:]
    return commands, buffer


async def pump(reader, writer, log=None, label=""):
    buffer = b""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
            if log:
                commands, buffer = parse_commands(buffer + data)
                for words in commands:
                    log.write(f"{label} {' '.join(words)}\n")
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def serve(listen, target, log):
    target_host, target_port = target.rsplit(":", 1)

    async def handle(client_reader, client_writer):
        label = f"{target_port} #{next(counter)}"
        try:
            server_reader, server_writer = await asyncio.open_connection(target_host, int(target_port))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, server_writer, log, label), pump(server_reader, client_writer))

    host, port = listen.rsplit(":", 1)
    return await asyncio.start_server(handle, host, int(port))


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("pairs", nargs="+", help="LISTEN=TARGET, both host:port on loopback")
    args = parser.parse_args()
    log = open(args.log, "a", buffering=1)
    servers = [await serve(*pair.split("="), log) for pair in args.pairs]
    await asyncio.gather(*(server.serve_forever() for server in servers))


if __name__ == "__main__":
    asyncio.run(main())

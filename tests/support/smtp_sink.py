#!/usr/bin/env python3
"""A real SMTP server for the test suite (standard library only).

Accepts every message and writes it as an .eml file into --dir, named after a counter. It
prints "listening on PORT" once ready (use --port 0 for a free port). Recipients whose local
part contains "tempfail" get 451 (try again later), "permfail" get 550 (rejected), so tests
can exercise retries and permanent failures. Supports EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT; no TLS, no AUTH (lettre's unencrypted builder talks to it).

It misbehaves on command: the file "control" in --dir (written by the tests, read again before
every reply) holds lines KEY=VALUE:

  refuse=1         new connections get "421" and are closed
  silent=N         a connection sends its first N replies (the greeting is the first), then
                   never answers again, even after the setting is gone (a hung relay)
  delay=SECONDS    every reply after the greeting waits this long
  final_delay=S    the reply to the final dot waits this long (the message is stored first:
                   the server has taken it, whether or not the client waits for the answer)
  tempfail=TEXT    recipients containing TEXT get 451 (try again later)
"""
import argparse
import asyncio
import itertools
import os
import sys

counter = itertools.count(1)
# With --discard, messages are counted, not stored (for benchmarks).
received = 0
# With --sample, the first message received in --discard mode is kept there (the benchmark's
# pump replays it, so both send the same bytes).
SAMPLE = None


def control(directory):
    settings = {}
    if directory is None:
        return settings
    try:
        with open(os.path.join(directory, "control")) as f:
            for line in f:
                if "=" in line:
                    key, value = line.strip().split("=", 1)
                    settings[key.strip()] = value.strip()
    except FileNotFoundError:
        pass
    return settings


async def hang(reader):
    """Reads and ignores everything until the client goes away."""
    while await reader.read(65536):
        pass


class Silenced(Exception):
    pass


async def handle(reader, writer, directory):
    replies = 0

    async def send(*lines, final=False):
        nonlocal replies
        settings = control(directory)
        if "silent" in settings and replies >= int(settings["silent"]):
            raise Silenced()
        wait = float(settings.get("final_delay" if final else "delay", 0) or 0)
        if replies > 0 and wait > 0:
            await asyncio.sleep(wait)
        replies += 1
        for line in lines:
            writer.write((line + "\r\n").encode())
        await writer.drain()

    mail_from, recipients = None, []
    try:
        if control(directory).get("refuse"):
            writer.write(b"421 4.3.2 service not available\r\n")
            await writer.drain()
            return
        await send("220 bredeblik-test-sink ESMTP")
        while True:
            raw = await reader.readline()
            if not raw:
                break
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb == "EHLO":
                await send("250-bredeblik-test-sink", "250-8BITMIME", "250-SMTPUTF8", "250 PIPELINING")
            elif verb == "HELO":
                await send("250 bredeblik-test-sink")
            elif verb == "MAIL":
                mail_from, recipients = line[10:].strip(), []
                await send("250 OK")
            elif verb == "RCPT":
                address = line[8:].strip().strip("<>").split(">")[0]
                local = address.split("@")[0]
                tempfail = control(directory).get("tempfail")
                if "permfail" in local:
                    await send("550 5.1.1 mailbox unavailable")
                elif "tempfail" in local or (tempfail and tempfail in address):
                    await send("451 4.3.0 try again later")
                else:
                    recipients.append(address)
                    await send("250 OK")
            elif verb == "DATA":
                if not recipients:
                    await send("503 5.5.1 no valid recipients")
                    continue
                await send("354 end data with <CR><LF>.<CR><LF>")
                chunks = []
                complete = False
                while True:
                    data = await reader.readline()
                    if not data:
                        break
                    if data in (b".\r\n", b".\n"):
                        complete = True
                        break
                    if data.startswith(b".."):
                        data = data[1:]
                    chunks.append(data)
                if not complete:
                    # The client went away mid-message: like any SMTP server, accept nothing.
                    break
                number = next(counter)
                if directory is None:
                    global received
                    received += 1
                    if SAMPLE and received == 1 and not os.path.exists(SAMPLE):
                        with open(SAMPLE, "wb") as f:
                            f.write(b"".join(chunks))
                    await send(f"250 OK queued as {number}", final=True)
                    continue
                body = b"".join(chunks)
                envelope = ("X-Envelope-To: " + ", ".join(recipients) + "\r\n").encode()
                tmp = os.path.join(directory, f".{number:06d}.tmp")
                with open(tmp, "wb") as f:
                    f.write(envelope + body)
                # Rename so readers never see a half-written file.
                os.rename(tmp, os.path.join(directory, f"{number:06d}.eml"))
                await send(f"250 OK queued as {number}", final=True)
            elif verb == "RSET":
                mail_from, recipients = None, []
                await send("250 OK")
            elif verb == "NOOP":
                await send("250 OK")
            elif verb == "QUIT":
                await send("221 bye")
                break
            else:
                await send("502 5.5.2 command not implemented")
    except Silenced:
        try:
            await hang(reader)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir")
    parser.add_argument("--discard", metavar="COUNT_FILE", help="count messages into COUNT_FILE instead of storing them")
    parser.add_argument("--sample", metavar="FILE", help="with --discard: keep the first message in FILE")
    args = parser.parse_args()
    global SAMPLE
    SAMPLE = args.sample
    if args.dir:
        os.makedirs(args.dir, exist_ok=True)
    elif not args.discard:
        parser.error("--dir or --discard is required")
    server = await asyncio.start_server(lambda r, w: handle(r, w, args.dir), "127.0.0.1", args.port)
    if args.discard:
        async def report():
            while True:
                with open(args.discard + ".tmp", "w") as f:
                    f.write(str(received))
                os.replace(args.discard + ".tmp", args.discard)
                await asyncio.sleep(0.2)
        asyncio.get_running_loop().create_task(report())
    port = server.sockets[0].getsockname()[1]
    print(f"listening on {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)

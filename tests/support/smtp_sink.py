#!/usr/bin/env python3
"""A real SMTP server for the test suite (standard library only).

Accepts every message and writes it as an .eml file into --dir, named after a counter. It
prints "listening on PORT" once ready (use --port 0 for a free port). Recipients whose local
part contains "tempfail" get 451 (try again later), "permfail" get 550 (rejected), so tests
can exercise retries and permanent failures. Supports EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT; no TLS, no AUTH (lettre's unencrypted builder talks to it).
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


async def handle(reader, writer, directory):
    def send(line):
        writer.write((line + "\r\n").encode())

    send("220 bredeblik-test-sink ESMTP")
    mail_from, recipients = None, []
    try:
        while True:
            raw = await reader.readline()
            if not raw:
                break
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                send("250-bredeblik-test-sink" if verb == "EHLO" else "250 bredeblik-test-sink")
                if verb == "EHLO":
                    send("250-8BITMIME")
                    send("250-SMTPUTF8")
                    send("250 PIPELINING")
            elif verb == "MAIL":
                mail_from, recipients = line[10:].strip(), []
                send("250 OK")
            elif verb == "RCPT":
                address = line[8:].strip().strip("<>").split(">")[0]
                local = address.split("@")[0]
                if "permfail" in local:
                    send("550 5.1.1 mailbox unavailable")
                elif "tempfail" in local:
                    send("451 4.3.0 try again later")
                else:
                    recipients.append(address)
                    send("250 OK")
            elif verb == "DATA":
                if not recipients:
                    send("503 5.5.1 no valid recipients")
                    continue
                send("354 end data with <CR><LF>.<CR><LF>")
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
                    send(f"250 OK queued as {number}")
                    await writer.drain()
                    continue
                body = b"".join(chunks)
                envelope = ("X-Envelope-To: " + ", ".join(recipients) + "\r\n").encode()
                tmp = os.path.join(directory, f".{number:06d}.tmp")
                with open(tmp, "wb") as f:
                    f.write(envelope + body)
                # Rename so readers never see a half-written file.
                os.rename(tmp, os.path.join(directory, f"{number:06d}.eml"))
                send(f"250 OK queued as {number}")
            elif verb == "RSET":
                mail_from, recipients = None, []
                send("250 OK")
            elif verb == "NOOP":
                send("250 OK")
            elif verb == "QUIT":
                send("221 bye")
                await writer.drain()
                break
            else:
                send("502 5.5.2 command not implemented")
            await writer.drain()
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

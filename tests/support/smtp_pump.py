#!/usr/bin/env python3
"""A raw SMTP pump: the baseline for the newsletter benchmark. Sends N messages of about the
size of a newsletter over C connections (each one message after the other, as the app's sender
does), with TCP_NODELAY, and prints messages per second. Like the app, it pipelines MAIL, RCPT
and DATA when the server offers PIPELINING (RFC 2920). No application, no database."""
import argparse
import socket
import threading
import time


def pump(port, first, count, body):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    reader = sock.makefile("rb")

    def reply():
        lines = []
        while True:
            line = reader.readline()
            lines.append(line)
            if not line or line[3:4] != b"-":
                return lines

    def expect(prefix, what):
        lines = reply()
        if not lines[-1].startswith(prefix):
            raise SystemExit(f"unexpected reply to {what}: {lines!r}")
        return lines

    expect(b"2", "greeting")
    sock.sendall(b"EHLO pump\r\n")
    pipelining = any(l[4:].strip().upper() == b"PIPELINING" for l in expect(b"2", "EHLO"))
    for n in range(first, first + count):
        commands = [b"MAIL FROM:<nieuwsbrief@bredeblik.localhost>\r\n", f"RCPT TO:<lezer{n}@voorbeeld.nl>\r\n".encode(), b"DATA\r\n"]
        if pipelining:
            sock.sendall(b"".join(commands))
            expect(b"2", "MAIL")
            expect(b"2", "RCPT")
            expect(b"3", "DATA")
        else:
            for command, prefix in zip(commands, (b"2", b"2", b"3")):
                sock.sendall(command)
                expect(prefix, command)
        sock.sendall(body)
        sock.sendall(b".\r\n")
        expect(b"250", f"message {n}")
    sock.sendall(b"QUIT\r\n")
    reply()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--size", type=int, default=6000, help="bytes of body per message")
    parser.add_argument("--message", help="send this message (headers and body) instead of generated text")
    args = parser.parse_args()
    if args.message:
        with open(args.message, "rb") as f:
            lines = f.read().replace(b"\r\n", b"\n").split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        # Dot-stuffing (RFC 5321 4.5.2), as any client does.
        body = b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n" for l in lines)
    else:
        body = b"Subject: pomp\r\n\r\n" + ("Een regel tekst zoals in een nieuwsbrief, met wat woorden erin.\r\n" * (args.size // 66)).encode()
    share = args.count // args.connections
    threads = []
    started = time.monotonic()
    for c in range(args.connections):
        count = share if c < args.connections - 1 else args.count - share * (args.connections - 1)
        thread = threading.Thread(target=pump, args=(args.port, c * share, count, body))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    print(f"{args.count / elapsed:.1f}")


if __name__ == "__main__":
    main()

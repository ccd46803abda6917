#!/usr/bin/env python3
"""A raw SMTP pump: the baseline for the newsletter benchmark. Sends N messages of about the
size of a newsletter over one connection, one after the other (as the app's sender does), with
TCP_NODELAY, and prints messages per second. No application, no database."""
import argparse
import socket
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--size", type=int, default=6000, help="bytes of body per message")
    args = parser.parse_args()
    sock = socket.create_connection(("127.0.0.1", args.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    reader = sock.makefile("rb")

    def reply():
        while True:
            line = reader.readline()
            if not line or line[3:4] != b"-":
                return line

    def command(text):
        sock.sendall(text.encode() + b"\r\n")
        line = reply()
        if not line.startswith((b"2", b"3")):
            raise SystemExit(f"unexpected reply to {text!r}: {line!r}")

    reply()
    command("EHLO pump")
    body = ("Een regel tekst zoals in een nieuwsbrief, met wat woorden erin.\r\n" * (args.size // 66)).encode()
    started = time.monotonic()
    for n in range(args.count):
        command("MAIL FROM:<nieuwsbrief@bredeblik.localhost>")
        command(f"RCPT TO:<lezer{n}@voorbeeld.nl>")
        command("DATA")
        sock.sendall(b"Subject: pomp\r\n\r\n" + body + b".\r\n")
        line = reply()
        if not line.startswith(b"250"):
            raise SystemExit(f"message {n} refused: {line!r}")
    elapsed = time.monotonic() - started
    command("QUIT")
    print(f"{args.count / elapsed:.1f}")


if __name__ == "__main__":
    main()

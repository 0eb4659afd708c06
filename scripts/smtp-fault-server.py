#!/usr/bin/env python3
"""A small SMTP server that misbehaves on purpose, for strategi's delivery tests.

Standard library only (raw sockets, one thread per connection). Every message whose
data it has received in full (up to the final "." line) is written to LOG_DIR as
NNNN-<pid>-<n>.eml, whether or not it then answers 250: that is what "the server took
it" means, and what the tests count. With --marker FILE it also creates FILE once it
holds a message's data (before answering), so a test can act at that moment.

Modes (--mode):
  ok                 a well-behaved server
  greet-421          answers the greeting with 421 and closes
  slow-greeting      waits --delay seconds before the greeting
  rcpt-451           answers RCPT with 451
  rcpt-550           answers RCPT with 550
  data-451           answers DATA with 451
  auth-535           refuses every login with 535 (the other modes take any login
                     given in one line, AUTH PLAIN)
  drop-mid-data      after 354, reads a little of the message and resets the connection
  reset-at-data      resets the connection instead of answering DATA
  close-before-250   takes the whole message, then closes without answering
  slow-250           takes the whole message, waits --delay seconds, then answers 250
  hold-250           takes the whole message, then answers 250 only once the file
                     --release names exists (never, if it never does)

Usage: smtp-fault-server.py --port PORT --log-dir DIR --mode MODE [--delay S]
       [--marker FILE] [--release FILE]
"""

import argparse
import itertools
import os
import socket
import struct
import threading
import time

COUNTER = itertools.count(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--log-dir", required=True)
    p.add_argument("--mode", default="ok")
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--marker")
    p.add_argument("--release")
    args = p.parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(16)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=session, args=(conn, args), daemon=True).start()


def reset(conn):
    """Closes with a TCP reset (unread data is thrown away), as a crashing server does."""
    try:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    conn.close()


def store(args, data):
    n = next(COUNTER)
    name = "%04d-%d-%d.eml" % (n, os.getpid(), threading.get_ident() % 100000)
    tmp = os.path.join(args.log_dir, "." + name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, os.path.join(args.log_dir, name))
    if args.marker:
        with open(args.marker, "a") as f:
            f.write(name + "\n")


def session(conn, args):
    mode = args.mode
    f = conn.makefile("rb")

    def send(line):
        conn.sendall(line.encode() + b"\r\n")

    try:
        if mode == "slow-greeting":
            time.sleep(args.delay)
        if mode == "greet-421":
            send("421 4.3.2 fault server: service not available")
            conn.close()
            return
        send("220 fault.example ESMTP fault server")
        while True:
            raw = f.readline()
            if not raw:
                conn.close()
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                conn.sendall(b"250-fault.example\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n")
                conn.sendall(b"250-AUTH PLAIN LOGIN\r\n")
                send("250 SIZE 52428800")
            elif verb == "AUTH":
                if mode == "auth-535":
                    send("535 5.7.8 Authentication credentials invalid")
                else:
                    send("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                send("250 2.1.0 Ok")
            elif verb == "RCPT":
                if mode == "rcpt-451":
                    send("451 4.3.0 fault server: try again later")
                elif mode == "rcpt-550":
                    send("550 5.1.1 fault server: mailbox unavailable")
                else:
                    send("250 2.1.5 Ok")
            elif verb == "DATA":
                if mode == "data-451":
                    send("451 4.3.0 fault server: no room for data now")
                    continue
                if mode == "reset-at-data":
                    reset(conn)
                    return
                send("354 End data with <CR><LF>.<CR><LF>")
                if mode == "drop-mid-data":
                    f.read(200)
                    reset(conn)
                    return
                data = bytearray()
                while True:
                    chunk = f.readline()
                    if not chunk:
                        conn.close()
                        return
                    if chunk == b".\r\n":
                        break
                    if chunk.startswith(b".."):
                        chunk = chunk[1:]
                    data += chunk
                store(args, bytes(data))
                if mode == "close-before-250":
                    conn.close()
                    return
                if mode == "slow-250":
                    time.sleep(args.delay)
                if mode == "hold-250":
                    while not (args.release and os.path.exists(args.release)):
                        time.sleep(0.02)
                send("250 2.0.0 Ok: queued by fault server")
            elif verb == "RSET" or verb == "NOOP":
                send("250 2.0.0 Ok")
            elif verb == "QUIT":
                send("221 2.0.0 Bye")
                conn.close()
                return
            else:
                send("502 5.5.2 command not recognised")
    except OSError:
        try:
            conn.close()
        except OSError:
            pass


if __name__ == "__main__":
    main()

"""A local SMTP server for strategi's mail tests.

Usage: python3 tests/smtp_server.py PORT FOLDER

Listens on 127.0.0.1:PORT (plain SMTP, no TLS, no AUTH) and saves every accepted
message as FOLDER/<n>.eml (written to a temporary name, then renamed, so a file that
exists is complete). Any RCPT address whose local part starts with "reject" is refused
with "550 5.1.1 mailbox unavailable". Runs until killed.
"""

import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Saver:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        final = os.path.join(self.folder, f"{n:04}.eml")
        tmp = final + ".tmp"
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.replace(tmp, final)
        return f"250 2.0.0 Ok: queued as TEST{n:04}"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: smtp_server.py PORT FOLDER")
    port = int(sys.argv[1])
    folder = sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Saver(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"listening on 127.0.0.1:{port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()

"""A local SMTP server for strategi's mail tests.

Usage: python3 tests/smtp_server.py PORT FOLDER [--auth USER:PASSWORD]

Listens on 127.0.0.1:PORT (plain SMTP, no TLS, no AUTH) and saves every accepted
message as FOLDER/<n>.eml (written to a temporary name, then renamed, so a file that
exists is complete). Any RCPT address whose local part starts with "reject" is refused
with "550 5.1.1 mailbox unavailable". With --auth, a login is required (over plain
text, as this is a local test server) and only USER:PASSWORD is accepted; any other
login is answered "535 5.7.8 Authentication credentials invalid". Runs until killed.
"""

import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


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


def authenticator_for(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False)

    return authenticate


def main():
    if len(sys.argv) not in (3, 5) or (len(sys.argv) == 5 and sys.argv[3] != "--auth"):
        sys.exit("usage: smtp_server.py PORT FOLDER [--auth USER:PASSWORD]")
    port = int(sys.argv[1])
    folder = sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    options = {}
    if len(sys.argv) == 5:
        user, _, password = sys.argv[4].partition(":")
        options = dict(
            authenticator=authenticator_for(user, password),
            auth_required=True,
            auth_require_tls=False,
        )
    controller = Controller(Saver(folder), hostname="127.0.0.1", port=port, **options)
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

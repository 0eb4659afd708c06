#!/usr/bin/env python3
"""Smart HTTP git server for tests: `git http-backend` behind a tiny stdlib server.

Usage: git-http-server.py ROOT [--die-on SERVICE]

Serves the repositories under ROOT at http://127.0.0.1:PORT/<name>.git (fetch and
push; push needs `http.receivepack = true` in the repository, which the test sets).
Prints the port on the first line of stdout once it listens.

--die-on git-receive-pack|git-upload-pack: on the first POST to that service, let
http-backend do its work (for a push: the server's refs are updated), then send only
half of its answer and exit at once, as a server killed in the middle would.
"""

import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.abspath(sys.argv[1])
DIE_ON = None
if "--die-on" in sys.argv:
    DIE_ON = sys.argv[sys.argv.index("--die-on") + 1]


def read_body(handler):
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        out = bytearray()
        while True:
            line = handler.rfile.readline().strip()
            size = int(line.split(b";")[0], 16)
            if size == 0:
                handler.rfile.readline()
                return bytes(out)
            out += handler.rfile.read(size)
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def run_backend(self, method):
        path, _, query = self.path.partition("?")
        body = read_body(self) if method == "POST" else b""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": ROOT,
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REQUEST_METHOD": method,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        proc = subprocess.run(
            ["git", "http-backend"], input=body, env=env, capture_output=True
        )
        raw = proc.stdout
        head, _, payload = raw.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = raw.partition(b"\n\n")
        status = 200
        headers = []
        for line in head.decode("latin-1").splitlines():
            if not line.strip():
                continue
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = int(v.strip().split()[0])
            else:
                headers.append((k.strip(), v.strip()))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if DIE_ON and method == "POST" and path.endswith("/" + DIE_ON):
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            os._exit(1)
        self.wfile.write(payload)

    def do_GET(self):
        self.run_backend("GET")

    def do_POST(self):
        self.run_backend("POST")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()

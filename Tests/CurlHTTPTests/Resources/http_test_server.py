#!/usr/bin/env python3
"""A small real HTTP(S) server for CurlHTTP tests, on 127.0.0.1 only.

usage: http_test_server.py PORT [CERT KEY]   (with CERT/KEY it serves HTTPS and asks for,
but does not require, a client certificate signed by CERT)
"""
import json
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.command, self.path))

    def reply(self, status, body, content_type="application/json", extra=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def handle_any(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        body = self.read_body()
        if url.path == "/hello":
            self.reply(200, "hello", "text/plain", [("X-Test", "one"), ("X-Test", "two")])
        elif url.path == "/echo":
            peer = self.connection.getpeercert() if hasattr(self.connection, "getpeercert") else None
            subject = None
            if peer:
                subject = dict(x[0] for x in peer.get("subject", ()))
            self.reply(200, json.dumps({
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("latin-1"),
                "client_cert_subject": subject,
            }))
        elif url.path.startswith("/status/"):
            code = int(url.path.split("/")[2])
            self.reply(code, json.dumps({"status": code}))
        elif url.path == "/slow":
            time.sleep(float(query.get("seconds", ["5"])[0]))
            self.reply(200, "late", "text/plain")
        elif url.path == "/retry":
            self.reply(429, '{"error":"rate limited"}', extra=[("Retry-After", query.get("after", ["7"])[0])])
        elif url.path == "/big":
            size = int(query.get("bytes", ["1048576"])[0])
            self.reply(200, b"x" * size, "application/octet-stream")
        else:
            self.reply(404, '{"error":"no route"}')

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


def main():
    port = int(sys.argv[1])
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    if len(sys.argv) >= 4:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        context.load_verify_locations(sys.argv[2])
        context.verify_mode = ssl.CERT_OPTIONAL
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print("listening", port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

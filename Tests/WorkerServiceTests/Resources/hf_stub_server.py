#!/usr/bin/env python3
"""A stand-in for the Hugging Face inference API, for tests, on 127.0.0.1 only.

usage: hf_stub_server.py PORT TOKEN

Every POST must carry "Authorization: Bearer TOKEN" (else 401, as the API answers) and a JSON
body {"inputs": str, "parameters": {"width": int, "height": int}} (else 400). The path picks
the behaviour (the first segment; the rest names a counter, so tests do not share state):

  /image/NAME?format=png|jpeg         200 with a picture: 640x480 magenta PNG or 96x64 teal JPEG
  /photo/NAME                         200 with a real 1024x1024 JPEG photo (Tests/Fixtures/photos/meadow-1024.jpg)
  /loading/NAME?times=N&estimated=S   503 {"error": "... is currently loading", "estimated_time": S}
                                      for the first N calls (N=-1: always), then the PNG
  /ratelimited/NAME?times=N&retry_after=S   429 with Retry-After: S for the first N calls, then the PNG
  /status/CODE?echo_auth=1            CODE with {"error": ...}; echo_auth puts the Authorization
                                      header into the message (to prove callers redact it)
  /garbage/NAME                       200, Content-Type image/png, a body that is no image
  /slow/NAME?seconds=S                sleeps S seconds, then the PNG
  GET /_requests                      JSON list of every POST seen: path, authorization, body
"""
import base64
import json
import os
import struct
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

TEAL_JPEG = base64.b64decode("/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/wAARCABAAGADAREAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAb/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFgEBAQEAAAAAAAAAAAAAAAAAAAYI/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8Akl2xYAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/9k=")


def png(width, height, rgb):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


MAGENTA_PNG = png(640, 480, (200, 30, 160))
PHOTO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Fixtures", "photos", "meadow-1024.jpg")
lock = threading.Lock()
counters = {}
seen = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    token = ""

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
        self.wfile.write(body)

    def error_json(self, status, message, extra=(), **fields):
        self.reply(status, json.dumps(dict(error=message, **fields)), extra=extra)

    def do_GET(self):
        if urlparse(self.path).path == "/_requests":
            with lock:
                self.reply(200, json.dumps(seen))
        else:
            self.error_json(404, "Not Found")

    def do_POST(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        auth = self.headers.get("Authorization", "")
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        with lock:
            seen.append({"path": url.path, "authorization": auth, "body": body})
            counters[url.path] = counters.get(url.path, 0) + 1
            call = counters[url.path]
        if auth != "Bearer " + self.token:
            return self.error_json(401, "Invalid credentials in Authorization header")
        params = (body or {}).get("parameters") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not isinstance(body.get("inputs"), str) or not isinstance(params, dict) \
                or not isinstance(params.get("width"), int) or not isinstance(params.get("height"), int):
            return self.error_json(400, "Input should be a valid dictionary with inputs and parameters.width/height")

        parts = url.path.strip("/").split("/")
        kind = parts[0]
        times = int(query.get("times", ["1"])[0])
        failing = times < 0 or call <= times
        if kind == "image":
            if query.get("format", ["png"])[0] == "jpeg":
                return self.reply(200, TEAL_JPEG, "image/jpeg")
            return self.reply(200, MAGENTA_PNG, "image/png")
        if kind == "photo":
            with open(PHOTO, "rb") as fh:
                return self.reply(200, fh.read(), "image/jpeg")
        if kind == "loading":
            if failing:
                estimated = float(query.get("estimated", ["0.2"])[0])
                return self.error_json(503, "Model stub/model is currently loading", estimated_time=estimated)
            return self.reply(200, MAGENTA_PNG, "image/png")
        if kind == "ratelimited":
            if failing:
                wait = query.get("retry_after", ["1"])[0]
                return self.error_json(429, "Rate limit reached. You reached free usage limit (reset hourly).",
                                       extra=[("Retry-After", wait)])
            return self.reply(200, MAGENTA_PNG, "image/png")
        if kind == "status":
            code = int(parts[1])
            message = "stub error %d" % code
            if query.get("echo_auth"):
                message += " for " + auth
            return self.error_json(code, message)
        if kind == "garbage":
            return self.reply(200, b"<html><body>surprise, not an image</body></html>", "image/png")
        if kind == "slow":
            time.sleep(float(query.get("seconds", ["5"])[0]))
            return self.reply(200, MAGENTA_PNG, "image/png")
        self.error_json(404, "Model %s does not exist" % url.path)


def main():
    Handler.token = sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()

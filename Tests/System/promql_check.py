"""Parse PromQL expressions with a real Prometheus.

Starts `prometheus` (the Debian package) on a free loopback port with an empty scrape
configuration and sends each expression once to /api/v1/query. A parse error comes back as
HTTP 400 with errorType "bad_data"; a valid expression over no data returns an empty result.

Used by Tests/System/test_manifests.py for the Grafana dashboard and for
k8s/monitoring/console-queries.txt. Also runnable by hand:

    python3 Tests/System/promql_check.py k8s/monitoring/console-queries.txt 'rate(x[1m])'
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


def read_query_file(path: Path) -> list[str]:
    """One expression per line; blank lines and lines starting with `#` are skipped."""
    lines = [line.strip() for line in Path(path).read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PromQLChecker:
    """A throw-away Prometheus; use as a context manager."""

    def __init__(self, binary: str = "prometheus", startup_timeout: float = 60.0):
        self.binary = shutil.which(binary) or binary
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.tmp: tempfile.TemporaryDirectory | None = None
        self.base_url = ""

    def __enter__(self) -> "PromQLChecker":
        if not shutil.which(self.binary):
            raise RuntimeError(f"prometheus not found ({self.binary}); install the Debian package 'prometheus'")
        self.tmp = tempfile.TemporaryDirectory(prefix="promql-check-")
        tmp = Path(self.tmp.name)
        config = tmp / "prometheus.yml"
        config.write_text("global:\n  scrape_interval: 1m\nscrape_configs: []\n")
        port = _free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = open(tmp / "prometheus.log", "wb")
        self.process = subprocess.Popen(
            [self.binary, f"--config.file={config}", f"--web.listen-address=127.0.0.1:{port}",
             f"--storage.tsdb.path={tmp / 'data'}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited with {self.process.returncode}: "
                                   f"{(tmp / 'prometheus.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.base_url + "/-/ready", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"prometheus on {self.base_url} not ready after {self.startup_timeout} s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()
        if self.tmp:
            self.tmp.cleanup()

    def error(self, expr: str) -> str | None:
        """None if Prometheus accepts `expr`, else its error text."""
        data = urllib.parse.urlencode({"query": expr}).encode()
        req = urllib.request.Request(self.base_url + "/api/v1/query", data=data)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                body = json.load(r)
        except urllib.error.HTTPError as e:
            body = json.loads(e.read() or b"{}")
        if body.get("status") == "success":
            return None
        return f"{body.get('errorType', 'error')}: {body.get('error', body)}"

    def errors(self, exprs: list[str]) -> dict[str, str]:
        """Every rejected expression with its error."""
        return {e: err for e in exprs if (err := self.error(e)) is not None}


def main(argv: list[str]) -> int:
    exprs: list[str] = []
    for arg in argv:
        exprs += read_query_file(Path(arg)) if os.path.isfile(arg) else [arg]
    with PromQLChecker() as checker:
        bad = checker.errors(exprs)
    for expr, err in bad.items():
        print(f"BAD  {expr}\n     {err}")
    print(f"{len(exprs) - len(bad)}/{len(exprs)} expressions parse")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""meme-console end to end under tmux, against a real nats-server + redis-server + meme-worker.

Starts everything itself on free loopback ports (MEME_BIN = `swift build --show-bin-path`), runs the
console in a detached tmux session (own socket, LANG=C.UTF-8, 120x40), then: presses `b` while the
worker is paused (SIGSTOP) and sees the queue rise, resumes the worker and sees the burst answered,
pauses for longer than the stale limit and resumes without a false "no update" warning (issue 12),
kills nats-server and sees "nats down", restarts it and sees "nats ok" again, and quits with `q`.
No `meme-worker supervise` runs: the KEDA stand-in source says so (`stand-in down`) instead of numbers.
The burst goes through the LoadEngine module (ConsoleCore.LoadEngineControl): JetStream publishes with acks.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

from tmux_session import Tmux


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listening on {port} after {timeout} s")


def binary(name):
    bin_dir = os.environ.get("MEME_BIN")
    if not bin_dir:
        pytest.skip("MEME_BIN not set (swift build --show-bin-path)")
    path = os.path.join(bin_dir, name)
    if not os.path.exists(path):
        pytest.skip(f"{path} not built")
    return path


class NATS:
    """nats-server from a generated config (like TestServers.NATSServer), restartable on the same ports."""

    def __init__(self, tmp):
        self.exe = shutil.which("nats-server") or pytest.skip("nats-server not installed")
        self.port, self.monitor = free_port(), free_port()
        self.config = os.path.join(tmp, "nats.conf")
        with open(self.config, "w") as f:
            f.write(f"listen: 127.0.0.1:{self.port}\nhttp: 127.0.0.1:{self.monitor}\n"
                    f"max_payload: 8MB\njetstream {{ store_dir: \"{tmp}/js\", max_memory_store: 256MB, max_file_store: 1GB }}\n")
        self.log = open(os.path.join(tmp, "nats.log"), "ab")
        self.proc = None
        self.start()

    @property
    def url(self):
        return f"nats://127.0.0.1:{self.port}"

    def start(self):
        self.proc = subprocess.Popen([self.exe, "-c", self.config], stdout=self.log, stderr=self.log)
        wait_port(self.port)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def stack():
    tmp = tempfile.mkdtemp(prefix="console-tmux")
    procs = []
    nats = NATS(tmp)
    redis_exe = shutil.which("redis-server") or pytest.skip("redis-server not installed")
    redis_port = free_port()
    redis = subprocess.Popen([redis_exe, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                              "--dir", tmp], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(redis)
    wait_port(redis_port)
    metrics = free_port()
    worker_log = open(os.path.join(tmp, "worker.log"), "ab")
    env = dict(os.environ, NATS_URL=nats.url, REDIS_URL=f"redis://127.0.0.1:{redis_port}", METRICS_ADDR=f"127.0.0.1:{metrics}",
               WORKER_CONCURRENCY="4")
    worker = subprocess.Popen([binary("meme-worker")], env=env, stdout=worker_log, stderr=worker_log)
    procs.append(worker)
    deadline = time.time() + 30
    while True:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{metrics}/readyz", timeout=1).status == 200:
                break
        except OSError:
            pass
        assert time.time() < deadline, "meme-worker not ready"
        time.sleep(0.1)
    tmux = Tmux(tmp, session="console")
    yield nats, worker, tmux
    tmux.run("kill-server", check=False)
    worker.send_signal(signal.SIGCONT)
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    nats.stop()
    shutil.rmtree(tmp, ignore_errors=True)


def queue_lag(screen):
    m = re.search(r"pending (\d+)\s+ack-pending (\d+)", screen)
    return int(m.group(1)) + int(m.group(2)) if m else -1


def test_burst_outage_recovery_and_quit(stack):
    nats, worker, tmux = stack
    console = binary("meme-console")
    # Prometheus deliberately absent: its status must not stop anything else.
    command = (f"env LANG=C.UTF-8 TERM=xterm-256color NATS_URL={nats.url} PROMETHEUS_URL=http://127.0.0.1:1 "
               f"LOCAL_SCALER_URL=http://127.0.0.1:1 {console} --mode local --interval 0.5")
    tmux.run("new-session", "-d", "-s", tmux.session, "-x", "120", "-y", "40", command)
    tmux.wait_for("nats ok", lambda s: "nats ok" in s)
    assert "MEME CONSOLE" in tmux.screen()

    # The burst while the worker is frozen: the queue rises to the whole burst.
    worker.send_signal(signal.SIGSTOP)
    tmux.run("send-keys", "-t", tmux.session, "b")
    screen = tmux.wait_for("queue of 50", lambda s: queue_lag(s) >= 50)
    assert "burst of 50 sent" in screen
    assert re.search(r"sent 50\s+acked 50", tmux.wait_for("50 acked", lambda s: re.search(r"acked 50", s)))

    # The worker resumes: every meme answered, recent memes listed.
    worker.send_signal(signal.SIGCONT)
    screen = tmux.wait_for("50 answered", lambda s: re.search(r"answered 50\b", s), timeout=60)
    assert "✓" in screen
    tmux.wait_for("queue drained", lambda s: queue_lag(s) == 0)
    # The done/s rate is what this console saw, over a short labelled window; the stand-in is down.
    screen = tmux.screen()
    assert re.search(r"done [\d.]+/s\s+errors [\d.]+/s\s+\(seen, [\d.]+ s\)", screen), screen
    assert "stand-in down" in screen, screen

    # Pause for longer than the stale limit (3 s at this interval), then resume: no "no update" warning.
    tmux.run("send-keys", "-t", tmux.session, " ")
    tmux.wait_for("paused", lambda s: "PAUSED" in s)
    time.sleep(5)
    tmux.run("send-keys", "-t", tmux.session, " ")
    tmux.wait_for("resumed", lambda s: "PAUSED" not in s)
    time.sleep(2)
    assert "no update for" not in tmux.screen(), tmux.screen()

    # nats-server dies: the console says so and keeps running; back when it returns.
    nats.kill()
    screen = tmux.wait_for("nats down", lambda s: "nats down" in s, timeout=20)
    assert "MEME CONSOLE" in screen
    nats.start()
    tmux.wait_for("nats ok again", lambda s: "nats ok" in s, timeout=30)

    # q quits cleanly: the session (whose only program is the console) ends.
    tmux.run("send-keys", "-t", tmux.session, "q")
    deadline = time.time() + 10
    while tmux.alive() and time.time() < deadline:
        time.sleep(0.1)
    assert not tmux.alive(), "console did not quit on q"

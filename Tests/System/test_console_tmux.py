"""meme-console end to end under tmux, against a real nats-server + redis-server + meme-worker.

Starts everything itself on free loopback ports (the servers through meme-stack, as the drills do;
MEME_BIN = `swift build --show-bin-path`), runs the
console in a detached tmux session (own socket, LANG=C.UTF-8, 120x40), then: presses `b` while the
worker is paused (SIGSTOP) and sees the queue rise, resumes the worker and sees the burst answered,
pauses for longer than the stale limit and resumes without a false "no update" warning (issue 12),
kills nats-server and sees "nats down", restarts it and sees "nats ok" again, and quits with `q`.
No stand-in runs (meme-stack has only nats and redis): the KEDA stand-in source says so (`stand-in down`) instead of numbers.
The burst goes through the LoadEngine module (ConsoleCore.LoadEngineControl): JetStream publishes with acks.
"""
import os
import re
import signal
import tempfile
import time

import pytest

from drill_support import Stack
from tmux_session import Tmux


def binary(name):
    bin_dir = os.environ.get("MEME_BIN")
    if not bin_dir:
        pytest.skip("MEME_BIN not set (swift build --show-bin-path)")
    path = os.path.join(bin_dir, name)
    if not os.path.exists(path):
        pytest.skip(f"{path} not built")
    return path


class NATSHandle:
    """The stack's nats-server as this test kills and restarts it (through meme-stack's control API)."""

    def __init__(self, stack):
        self.stack = stack

    @property
    def url(self):
        return self.stack.nats_url

    def kill(self):
        self.stack.proc("nats").kill()

    def start(self):
        self.stack.start_nats()


@pytest.fixture
def stack():
    s = Stack("console-tmux")
    try:
        s.start_nats()
        s.start_redis()
        worker = s.start_worker("worker", ack_wait=60, concurrency=4)
        tmux = Tmux(s.dir, session="console")
        yield NATSHandle(s), worker.popen, tmux
        tmux.run("kill-server", check=False)
        if worker.alive:
            worker.popen.send_signal(signal.SIGCONT)
    finally:
        s.close()


def queue_lag(screen):
    m = re.search(r"pending (\d+)\s+ack-pending (\d+)", screen)
    return int(m.group(1)) + int(m.group(2)) if m else -1


def test_burst_outage_recovery_and_quit(stack):
    nats, worker, tmux = stack
    console = binary("meme-console")
    logs = tempfile.mkdtemp(prefix="console-logs-")
    # Prometheus deliberately absent: its status must not stop anything else.
    command = (f"env LANG=C.UTF-8 TERM=xterm-256color DEMO_DIR={logs} NATS_URL={nats.url} PROMETHEUS_URL=http://127.0.0.1:1 "
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
    # The NATS client's log lines about it went to the console's log file, not over the screen.
    time.sleep(1)
    screen = tmux.screen()
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d|\[NATS\]|reconnected", screen), screen
    with open(os.path.join(logs, "logs", "meme-console.log")) as f:
        log = f.read()
    assert "nats: disconnected" in log and "nats: reconnected" in log, log

    # q quits cleanly: the session (whose only program is the console) ends.
    tmux.run("send-keys", "-t", tmux.session, "q")
    deadline = time.time() + 10
    while tmux.alive() and time.time() < deadline:
        time.sleep(0.1)
    assert not tmux.alive(), "console did not quit on q"

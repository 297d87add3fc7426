"""docs/demo-script.md walked through on the local stack, act by act, as a presenter does it.

`./demo.sh up --detach` on free ports, then the console in tmux at 120×40 with the keys the script
names. Each act's claim is checked against the stand-in's own reading (GET /status of
meme-stack) and on the screen, and the screen is saved: with MEME_CAPTURE_DIR set
(`MEME_CAPTURE_DIR=docs/captures`) the captures the script shows are rewritten from this run.
"""
import json
import os
import re
import tempfile
import time

from demo_stack import ROOT, demo, http_get, stack, wait_until  # noqa: F401
from tmux_session import Tmux

CAPTURES = os.path.join(ROOT, os.environ.get("MEME_CAPTURE_DIR") or tempfile.mkdtemp(prefix="demo-acts-"))


def status(port):
    return json.loads(http_get(port, "/status")[1])


def capture(tmux, name, note):
    """Saves the screen as docs/captures/<name>.txt with a one-line caption."""
    os.makedirs(CAPTURES, exist_ok=True)
    screen = "\n".join(line.rstrip() for line in tmux.screen().splitlines()).rstrip() + "\n"
    with open(os.path.join(CAPTURES, f"{name}.txt"), "w") as f:
        f.write(f"# {note}\n{screen}")
    return screen


def scale_events(port, since, up=True):
    return [e for e in status(port)["events"] if e["at"] >= since and (e["to"] > e["from"]) == up]


def test_the_talk_act_by_act(stack):
    env, ports, demo_dir = stack
    up = demo(env, "up", "--detach")
    assert up.returncode == 0, up.stderr
    scaler = ports["CONTROL"]
    console = os.path.join(env["DEMO_BIN"], "meme-console")
    tmux = Tmux(demo_dir, session="console")
    tmux.start(f"env LANG=C.UTF-8 TERM=xterm-256color NATS_URL=nats://127.0.0.1:{ports['NATS']} "
               f"NATS_MONITOR_URL=http://127.0.0.1:{ports['NATS_MONITOR']} "
               f"PROMETHEUS_URL=http://127.0.0.1:{ports['PROMETHEUS']} LOCAL_SCALER_URL=http://127.0.0.1:{scaler} "
               f"{console} dashboard --mode local", width=120, height=40)
    try:
        # Act 1, the quiet system: no workers, nothing queued, KEDA inactive.
        tmux.wait_for("the first frame", lambda s: "MEME CONSOLE" in s and "nats ok" in s, timeout=60)
        s = wait_until("a first decision", lambda: (lambda st: st if st["read_at"] else None)(status(scaler)), timeout=30)
        assert s["replicas"] == 0 and s["lag"] == 0 and not s["active"], s
        capture(tmux, "act-1-quiet", "Act 1: the quiet system (0 workers, empty queue, KEDA inactive)")

        # Act 2, one meme wakes a worker: lag 1 > activation 0, 0 → 1, the meme is answered.
        start = time.time()
        tmux.press_until_taken("s")
        woke = wait_until("0 → 1", lambda: scale_events(scaler, start), timeout=30)[0]
        assert (woke["from"], woke["to"]) == (0, 1) and woke["lag"] >= 1, woke
        tmux.wait_for("the answer", lambda s: re.search(r"answered 1\b", s), timeout=60)
        capture(tmux, "act-2-one-meme", "Act 2: one meme wakes one worker (lag 1 > activation 0)")

        # Act 3, the burst: 5000 memes (key 5 for 1000, + twice for 5000, then b); the workers climb a
        # staircase. (1000 drain in about 12 s with five workers: before the policy's second step.)
        start = time.time()
        tmux.keys("5")
        tmux.keys("+")
        tmux.keys("+")
        tmux.keys("b")
        tmux.wait_for("the burst", lambda s: "burst of 5000" in s, timeout=30)
        # The scale-up policy (+4 pods or +100 % per 15 s) makes steps: 1 → 5, then 5 → 10 a period later.
        first = wait_until("the first step", lambda: scale_events(scaler, start), timeout=30)[0]
        time.sleep(3)
        capture(tmux, "act-3-burst-first-step", "Act 3: a burst of 5000; the first step (the scale-up policy allows +4)")
        steps = wait_until("a staircase", lambda: (lambda e: e if len(e) >= 2 else None)(scale_events(scaler, start)),
                           timeout=60)
        assert steps[0] == first and steps[1]["to"] > first["to"], steps
        assert steps[1]["at"] - first["at"] >= 14, f"the second step came within the policy period: {steps}"
        assert all(e["lag"] and e["lag"] > 0 for e in steps), steps
        time.sleep(2)
        capture(tmux, "act-3-burst", "Act 3: a period later the next step, up to maxReplicaCount")

        # Act 4, draining and the way down: inactive, the cooldown counts down, then N → 0.
        wait_until("the queue to drain", lambda: status(scaler)["lag"] == 0, timeout=300)
        s = wait_until("the countdown", lambda: (lambda st: st if st["scale_to_zero_in_seconds"] else None)(status(scaler)),
                       timeout=60)
        assert not s["active"] and s["replicas"] > 0, s
        time.sleep(2)
        capture(tmux, "act-4-cooldown", "Act 4: drained; KEDA inactive, scale to zero after cooldownPeriod")
        # The HPA part scales in after its 30 s stabilisation window, KEDA to zero after the cooldown.
        inward = wait_until("N → 1", lambda: [e for e in scale_events(scaler, start, up=False) if e["to"] > 0], timeout=90)[0]
        time.sleep(2)
        capture(tmux, "act-4-scale-in", "Act 4: the scale-down window has passed: the HPA part goes to 1, KEDA's cooldown runs on")
        down = wait_until("1 → 0", lambda: [e for e in scale_events(scaler, start, up=False) if e["to"] == 0],
                          timeout=s["cooldown_period_seconds"] + 60)[0]
        assert down["at"] > inward["at"] and down["from"] > 0, (inward, down)
        time.sleep(2)
        capture(tmux, "act-7-quiet-again", "Act 7: back to quiet (0 workers)")

        # The help overlay: every key the script uses is listed.
        tmux.keys("?")
        screen = tmux.wait_for("the help", lambda s: "burst" in s.lower() and "quit" in s.lower(), timeout=10)
        capture(tmux, "keys", "? lists every key")
        tmux.keys("?")
        assert screen
    finally:
        tmux.close()

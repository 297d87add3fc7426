"""./demo.sh up --detach / status / stop: the whole local stack (meme-stack) on free ports, state in a temp DEMO_DIR.

Uses the debug binaries (MEME_BIN, or `swift build --show-bin-path`); never touches .demo/ or the default ports.
"""
import asyncio
import re
import json
import os
import signal
import socket
import subprocess
import time

from demo_stack import (DEMO, ROOT, SERVICES, alive, demo, http_get, listening, live_services, manifest,  # noqa: F401
                        marked_processes, processes_mentioning, stack, stand_in, submit_and_wait, wait_until)
from tmux_session import Tmux


def test_up_status_meme_and_stop(stack):
    env, ports, demo_dir = stack
    up = demo(env, "up", "--detach")
    assert up.returncode == 0, up.stderr
    assert f"http://127.0.0.1:{ports['WEB']}/wall" in up.stderr
    m = manifest(demo_dir)
    assert m is not None and alive(m["pid"]), "no stack.json, or meme-stack is not running"
    assert m["ports"]["web"] == ports["WEB"] and m["urls"]["nats"] == f"nats://127.0.0.1:{ports['NATS']}"

    status = demo(env, "status", timeout=60)
    assert status.returncode == 0, status.stdout + status.stderr
    for name in ["nats", "redis", "redis-exporter", "prometheus"]:
        line = next(l for l in status.stdout.splitlines() if l.startswith(name + " "))
        assert "answering" in line and "NOT" not in line, status.stdout
    web_line = next(l for l in status.stdout.splitlines() if l.startswith("web "))
    assert "1 process" in web_line, status.stdout

    # The audience's page through the stack's web port (the proxy in front of the meme-web processes).
    code, page = http_get(ports["WEB"], "/")
    assert code == 200 and "<html" in page.lower()

    # Prometheus answers and scrapes the stack's own metrics.
    assert http_get(ports["PROMETHEUS"], "/-/ready")[0] == 200
    value = wait_until("prometheus to scrape meme_local_scaler_replicas", lambda: (json.loads(
        http_get(ports["PROMETHEUS"], "/api/v1/query?query=meme_local_scaler_replicas")[1])["data"]["result"] or None), 30)
    assert value

    # A lone meme submitted through NATS arrives: the KEDA stand-in scales the worker from 0 and it answers.
    subject, body = asyncio.run(submit_and_wait(ports["NATS"]))
    assert subject == "meme.response", body
    assert body["image_data"]
    st = stand_in(ports["CONTROL"])
    assert st["hpa"]["source"] == "local stand-in for the HPA" and st["hpa"]["replicas"] >= 1
    assert st["vpa"]["source"] == "local stand-in for the VPA" and st["vpa"]["requests"]["memory_bytes"] == 512 * 1024 * 1024
    assert os.path.exists(os.path.join(demo_dir, "logs", "worker-1.log"))
    assert os.path.exists(os.path.join(demo_dir, "logs", "web-1.log"))
    # meme-stack, 4 servers, a web process, a worker: the servers' pids are in stack.json (redis-server
    # rewrites its environment, so the MEME_DEMO_DIR mark finds only the others).
    servers = {s["pid"] for s in live_services(ports).values() if s.get("pid")}
    everything = set(marked_processes(demo_dir)) | servers
    assert len(servers) == 4 and len(everything) >= 7, (servers, everything)

    stop = demo(env, "stop", timeout=180)
    assert stop.returncode == 0, stop.stderr
    left = [p for p in everything if alive(p)]
    assert not left, f"still running after stop: {left}"
    assert manifest(demo_dir) is None
    assert not processes_mentioning(demo_dir)
    assert not any(listening(port) for port in ports.values()), ports


def test_port_in_use_is_named_and_nothing_is_left(stack):
    env, ports, demo_dir = stack
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", ports["PROMETHEUS"]))
    blocker.listen()
    try:
        up = demo(env, "up", "--detach")
    finally:
        blocker.close()
    assert up.returncode != 0
    assert f"port {ports['PROMETHEUS']} is already in use (set DEMO_PROMETHEUS_PORT to move it)" in up.stderr, up.stderr
    # nats, redis and the exporter had started before; all were stopped again.
    assert "stopping nats" in up.stderr
    assert manifest(demo_dir) is None
    assert not marked_processes(demo_dir)
    assert not any(listening(ports[n]) for n in ["NATS", "NATS_MONITOR", "REDIS", "REDIS_EXPORTER"])


def test_help_and_unknown_option():
    out = subprocess.run([DEMO, "--help"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    for word in ["status", "logs", "stop", "--detach", "DEMO_DIR", "DEMO_BUILD", "DEMO_CONTROL_PORT"]:
        assert word in out.stdout
    bad = subprocess.run([DEMO, "up", "--bogus"], capture_output=True, text=True, timeout=30)
    assert bad.returncode != 0 and "unknown option '--bogus'" in bad.stderr


def test_a_web_tier_that_cannot_start_is_named_and_everything_is_stopped(stack):
    env, ports, demo_dir = stack
    # A meme-web that cannot start (as a broken build would): the servers are up when it fails,
    # and must be stopped again.
    broken = os.path.join(demo_dir, "broken-bin")
    os.makedirs(broken)
    with open(os.path.join(broken, "meme-web"), "w") as f:
        f.write("#!/bin/sh\necho 'cannot start: broken on purpose' >&2; exit 3\n")
    os.chmod(os.path.join(broken, "meme-web"), 0o755)
    for name in ["meme-stack", "meme-worker", "meme-console"]:
        os.symlink(os.path.join(env["DEMO_BIN"], name), os.path.join(broken, name))
    env = dict(env, DEMO_BIN=broken)
    up = demo(env, "up", "--detach")
    assert up.returncode != 0
    assert "meme-web (web-1) exited 3 times during start-up, last with status 3" in up.stderr, up.stderr
    assert "cannot start: broken on purpose" in up.stderr
    assert "stopping nats" in up.stderr and "stopping prometheus" in up.stderr
    assert manifest(demo_dir) is None
    assert not any(listening(ports[n]) for n in ["NATS", "REDIS", "REDIS_EXPORTER", "PROMETHEUS", "WEB", "CONTROL"])
    assert not marked_processes(demo_dir)


def test_readme_first_command_opens_the_console_burst_scales_and_q_stops_everything(stack):
    """`./demo.sh`, exactly as the README gives it (ports moved by DEMO_*_PORT), in a terminal."""
    env, ports, demo_dir = stack
    tmux = Tmux(demo_dir, session="demo")
    settings = " ".join(f"{k}={v}" for k, v in sorted(env.items()) if k.startswith("DEMO_"))
    command = (f"cd {ROOT} && env LANG=C.UTF-8 TERM=xterm-256color {settings} ./demo.sh; "
               f"echo \"demo.sh exited $?\"; sleep 120")
    tmux.start(command)
    try:
        # The console's first frame, drawn after the stack is up, with all three stand-ins.
        screen = tmux.wait_for("the console", lambda s: "MEME CONSOLE" in s and "nats ok" in s, timeout=240)
        assert "not in this build" not in screen
        assert manifest(demo_dir) is not None
        screen = tmux.wait_for("the HPA and VPA rows with numbers",
                               lambda s: re.search(r"HPA meme-web \d+ → \d+", s) and re.search(r"redis mem (target )?\S+ \[", s), timeout=60)
        assert "local stand-in for the HPA" in screen or "AUTOSCALERS (local stand-ins)" in screen, screen

        # w: page loads through meme-web; the HPA stand-in starts more web processes, and the screen says so.
        tmux.keys("w")
        wait_until("a second meme-web", lambda: stand_in(ports["CONTROL"])["hpa"]["replicas"] >= 2, timeout=90)
        tmux.wait_for("web replicas rising on screen", lambda s: re.search(r"^web\s+[2-5]\s", s, re.M), timeout=30)
        tmux.keys("w")
        tmux.wait_for("web traffic off", lambda s: "web traffic off" in s, timeout=15)

        # b: a burst from the presenter's keyboard; the stand-in scales the workers up, the queue drains.
        tmux.press_until_taken("b")
        tmux.wait_for("the burst", lambda s: "burst of" in s, timeout=30)
        wait_until("a worker", lambda: stand_in(ports["CONTROL"]).get("replicas", 0) >= 1, timeout=60)
        wait_until("the queue to drain", lambda: stand_in(ports["CONTROL"]).get("lag", -1) == 0, timeout=120)

        # q: the console closes and demo.sh stops the whole stack.
        tmux.keys("q")
        tmux.wait_for("demo.sh to exit", lambda s: "demo.sh exited 0" in s, timeout=180)
        assert not marked_processes(demo_dir), "left running after q"
        assert manifest(demo_dir) is None
        assert not any(listening(port) for port in ports.values()), ports
    finally:
        tmux.close()


def test_stop_after_the_stack_was_killed_leaves_nothing_and_up_works_again(stack):
    env, ports, demo_dir = stack
    up = demo(env, "up", "--detach")
    assert up.returncode == 0, up.stderr
    subject, _ = asyncio.run(submit_and_wait(ports["NATS"], count=3))
    assert subject == "meme.response"
    stack_pid = manifest(demo_dir)["pid"]
    others = [p for p in marked_processes(demo_dir) if p != stack_pid]
    assert len(others) >= 5, others

    os.kill(stack_pid, signal.SIGKILL)
    wait_until("meme-stack to die", lambda: not alive(stack_pid), timeout=10)
    # The orphans do not hold the stack's ports (children get only stdin/stdout/stderr).
    # (The kernel closes them once the last thread of the killed process is gone, a moment after it turns zombie.)
    wait_until("the stack's ports to close", lambda: not listening(ports["CONTROL"]) and not listening(ports["WEB"]), timeout=10)
    assert any(alive(p) for p in others), "the servers were expected to outlive a SIGKILLed meme-stack"

    stop = demo(env, "stop", timeout=180)
    assert stop.returncode == 0, stop.stderr
    assert "left from this demo" in stop.stderr
    assert not marked_processes(demo_dir), "left running after stop"

    again = demo(env, "up", "--detach")
    assert again.returncode == 0, again.stderr
    assert demo(env, "status", timeout=60).returncode == 0

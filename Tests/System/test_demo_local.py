"""./demo.sh up --detach / status / stop: the whole local stack on free ports, state in a temp DEMO_DIR.

Uses the debug binaries (MEME_BIN, or `swift build --show-bin-path`); never touches .demo/ or the default ports.
"""
import asyncio
import json
import os
import signal
import socket
import subprocess
import time

from demo_stack import (DEMO, ROOT, SERVICES, alive, children, demo, http_get, listening,  # noqa: F401
                        marked_processes, processes_mentioning, recorded_pids, stack, submit_and_wait, supervise_status, wait_until)
from tmux_session import Tmux


def test_up_status_meme_and_stop(stack):
    env, ports, demo_dir = stack
    up = demo(env, "up", "--detach")
    assert up.returncode == 0, up.stderr
    assert f"http://127.0.0.1:{ports['WEB']}/wall" in up.stderr
    pids = recorded_pids(demo_dir)
    expected = {"nats", "redis", "redis-exporter", "prometheus", "supervise"}
    assert expected <= set(pids), pids
    assert all(alive(p) for p in pids.values())

    status = demo(env, "status", timeout=60)
    assert status.returncode == 0, status.stdout + status.stderr
    for name in expected:
        line = next(l for l in status.stdout.splitlines() if l.startswith(name + " "))
        assert "answering" in line and "NOT" not in line, status.stdout
        assert str(pids[name]) in line

    # Prometheus answers and scrapes the local scaler.
    assert http_get(ports["PROMETHEUS"], "/-/ready")[0] == 200
    deadline = time.time() + 30
    value = None
    while time.time() < deadline and value is None:
        _, body = http_get(ports["PROMETHEUS"], "/api/v1/query?query=meme_local_scaler_replicas")
        result = json.loads(body)["data"]["result"]
        value = result[0]["value"][1] if result else None
        time.sleep(0.5)
    assert value is not None, "prometheus never scraped meme_local_scaler_replicas"

    # A lone meme submitted through NATS arrives: supervise scales the worker from 0 and it answers.
    subject, body = asyncio.run(submit_and_wait(ports["NATS"]))
    assert subject == "meme.response", body
    assert body["image_data"]
    _, metrics = http_get(ports["SUPERVISE"], "/metrics")
    assert 'meme_local_scaler_replicas{workload="worker"}' in metrics
    workers = children(pids["supervise"])
    assert workers, "no worker process under supervise"
    assert os.path.exists(os.path.join(demo_dir, "logs", "worker-1.log"))

    stop = demo(env, "stop", timeout=180)
    assert stop.returncode == 0, stop.stderr
    left = [p for p in list(pids.values()) + workers if alive(p)]
    assert not left, f"still running after stop: {left}"
    assert recorded_pids(demo_dir) == {}
    assert not processes_mentioning(demo_dir)
    assert not processes_mentioning(f"127.0.0.1:{ports['REDIS_EXPORTER']}")


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
    assert f"port {ports['PROMETHEUS']} for prometheus is already in use" in up.stderr, up.stderr
    # nats, redis and the exporter had started before; all were stopped again.
    assert "stopping nats" in up.stderr
    assert recorded_pids(demo_dir) == {}
    assert not processes_mentioning(demo_dir)
    assert not processes_mentioning(f"127.0.0.1:{ports['REDIS_EXPORTER']}")
    assert not any(listening(ports[n]) for n in ["NATS", "NATS_MONITOR", "REDIS", "REDIS_EXPORTER"])


def test_help_and_unknown_option():
    out = subprocess.run([DEMO, "--help"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    for word in ["status", "logs", "stop", "--detach", "DEMO_DIR", "DEMO_BUILD"]:
        assert word in out.stdout
    bad = subprocess.run([DEMO, "up", "--bogus"], capture_output=True, text=True, timeout=30)
    assert bad.returncode != 0 and "unknown option '--bogus'" in bad.stderr


def test_a_service_that_dies_at_start_is_named_and_everything_is_stopped(stack):
    env, ports, demo_dir = stack
    # A meme-worker that cannot start (as a broken build would): supervise is the last service,
    # so nats, redis, the exporter, prometheus and the real meme-web are up when it fails, and
    # must be stopped again.
    broken = os.path.join(demo_dir, "broken-bin")
    os.makedirs(broken)
    with open(os.path.join(broken, "meme-worker"), "w") as f:
        f.write("#!/bin/sh\necho 'cannot start: broken on purpose' >&2; exit 3\n")
    os.chmod(os.path.join(broken, "meme-worker"), 0o755)
    for name in ["meme-web", "meme-console"]:
        os.symlink(os.path.join(env["DEMO_BIN"], name), os.path.join(broken, name))
    env = dict(env, DEMO_BIN=broken)
    up = demo(env, "up", "--detach")
    assert up.returncode != 0
    assert "supervise exited during start-up" in up.stderr, up.stderr
    assert "cannot start: broken on purpose" in up.stderr
    assert "stopping nats" in up.stderr and "stopping prometheus" in up.stderr and "stopping web" in up.stderr
    assert recorded_pids(demo_dir) == {}
    assert not processes_mentioning(demo_dir + "/nats") and not processes_mentioning(demo_dir + "/prometheus")
    assert not any(listening(ports[n]) for n in ["NATS", "REDIS", "REDIS_EXPORTER", "PROMETHEUS", "WEB"])
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
        # The console's first frame, drawn after the stack is up.
        screen = tmux.wait_for("the console", lambda s: "MEME CONSOLE" in s and "nats ok" in s, timeout=240)
        assert "not in this build" not in screen
        assert recorded_pids(demo_dir).keys() >= set(SERVICES)

        # b: a burst from the presenter's keyboard; the stand-in scales the workers up, the queue drains.
        tmux.press_until_taken("b")
        tmux.wait_for("the burst", lambda s: "burst of" in s, timeout=30)
        wait_until("a worker", lambda: supervise_status(ports["SUPERVISE"]).get("replicas", 0) >= 1, timeout=60)
        wait_until("the queue to drain", lambda: supervise_status(ports["SUPERVISE"]).get("lag", -1) == 0, timeout=120)

        # q: the console closes and demo.sh stops the whole stack.
        tmux.keys("q")
        tmux.wait_for("demo.sh to exit", lambda s: "demo.sh exited 0" in s, timeout=120)
        assert not marked_processes(demo_dir), "left running after q"
        assert recorded_pids(demo_dir) == {}
        assert not any(listening(port) for port in ports.values()), ports
    finally:
        tmux.close()


def test_stop_after_the_supervisor_was_killed_leaves_nothing_and_up_works_again(stack):
    env, ports, demo_dir = stack
    up = demo(env, "up", "--detach")
    assert up.returncode == 0, up.stderr
    subject, _ = asyncio.run(submit_and_wait(ports["NATS"], count=3))
    assert subject == "meme.response"
    supervise = recorded_pids(demo_dir)["supervise"]
    workers = children(supervise)
    assert workers, "no worker under supervise"

    os.kill(supervise, signal.SIGKILL)
    wait_until("supervise to die", lambda: not alive(supervise), timeout=10)
    # The orphaned workers do not hold the supervisor's port (they got only stdin/stdout/stderr).
    assert not listening(ports["SUPERVISE"])
    assert any(alive(w) for w in workers), "the workers were expected to outlive a SIGKILLed supervisor"

    stop = demo(env, "stop", timeout=180)
    assert stop.returncode == 0, stop.stderr
    assert "left from this demo" in stop.stderr
    assert not marked_processes(demo_dir), "left running after stop"
    assert not any(alive(w) for w in workers)

    again = demo(env, "up", "--detach")
    assert again.returncode == 0, again.stderr
    assert demo(env, "status", timeout=60).returncode == 0

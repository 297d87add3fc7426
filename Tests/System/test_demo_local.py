"""./demo.sh up --detach / status / stop: the whole local stack on free ports, state in a temp DEMO_DIR.

Uses the debug binaries (MEME_BIN, or `swift build --show-bin-path`); never touches .demo/ or the default ports.
"""
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid

import pytest

from tmux_session import Tmux

nats = pytest.importorskip("nats")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(ROOT, "demo.sh")
SERVICES = ["nats", "redis", "redis-exporter", "prometheus", "web", "supervise"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def free_range(count):
    for base in range(31000, 60000, 37):
        if not any(listening(p) for p in range(base, base + count)):
            return base
    raise RuntimeError("no free port range")


def bin_dir():
    path = os.environ.get("MEME_BIN")
    if not path:
        path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    if not os.path.exists(os.path.join(path, "meme-worker")):
        pytest.skip(f"meme-worker is not built in {path}")
    return path


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    out.append(int(entry))
            except OSError:
                pass
    return out


def marked_processes(demo_dir):
    """Processes whose environment carries demo.sh's mark for this DEMO_DIR (children included)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if f"MEME_DEMO_DIR={demo_dir}".encode() in f.read().split(b"\0") and alive(int(entry)):
                        found.append(int(entry))
            except OSError:
                pass
    return found


def processes_mentioning(text):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if text.encode() in f.read() and alive(int(entry)):
                        found.append(int(entry))
            except OSError:
                pass
    return found


def http_get(port, path, timeout=3):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
        return r.status, r.read().decode()


@pytest.fixture
def stack():
    demo_dir = tempfile.mkdtemp(prefix="demo-local-")
    env = dict(os.environ)
    ports = {name: free_port() for name in ["NATS", "NATS_MONITOR", "REDIS", "REDIS_EXPORTER", "PROMETHEUS", "WEB", "SUPERVISE"]}
    for name, port in ports.items():
        env[f"DEMO_{name}_PORT"] = str(port)
    env["DEMO_WORKER_METRICS_BASE_PORT"] = str(free_range(10))
    env.update(DEMO_DIR=demo_dir, DEMO_BUILD="debug", DEMO_BIN=bin_dir())
    yield env, ports, demo_dir
    subprocess.run([DEMO, "stop"], env=env, capture_output=True, timeout=120)
    shutil.rmtree(demo_dir, ignore_errors=True)


def demo(env, *args, timeout=240):
    return subprocess.run([DEMO, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def recorded_pids(demo_dir):
    pids = {}
    for name in SERVICES:
        path = os.path.join(demo_dir, "pids", f"{name}.pid")
        if os.path.exists(path):
            with open(path) as f:
                pids[name] = int(f.read().strip())
    return pids


async def submit_and_wait(nats_port, timeout=90, count=1):
    nc = await nats.connect(f"nats://127.0.0.1:{nats_port}")
    try:
        request_id = f"demo-{uuid.uuid4()}"
        got = asyncio.get_running_loop().create_future()

        async def on_message(msg):
            body = json.loads(msg.data)
            if body.get("request_id") == request_id and not got.done():
                got.set_result((msg.subject, body))

        await nc.subscribe("meme.response", cb=on_message)
        await nc.subscribe("meme.response.error", cb=on_message)
        await nc.flush()
        js = nc.jetstream()
        # count=1, alone: with activationLagThreshold "0" a lag of one wakes a worker at zero replicas.
        for rid in [request_id] + [f"{request_id}-{i}" for i in range(1, count)]:
            payload = json.dumps({"id": rid, "prompt": f"demo.sh / works on one machine {rid}", "small_image": True}).encode()
            await js.publish("meme.request", payload, headers={"Nats-Msg-Id": rid})
        return await asyncio.wait_for(got, timeout)
    finally:
        await nc.close()


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
    # so nats, redis, the exporter and prometheus are up when it fails, and must be stopped again.
    broken = os.path.join(demo_dir, "broken-bin")
    os.makedirs(broken)
    for name, body in [("meme-worker", "echo 'cannot start: broken on purpose' >&2; exit 3"), ("meme-web", "exit 0")]:
        path = os.path.join(broken, name)
        with open(path, "w") as f:
            f.write(f"#!/bin/sh\n{body}\n")
        os.chmod(path, 0o755)
    env = dict(env, DEMO_BIN=broken)
    up = demo(env, "up", "--detach")
    assert up.returncode != 0
    assert "supervise exited during start-up" in up.stderr, up.stderr
    assert "cannot start: broken on purpose" in up.stderr
    assert "stopping nats" in up.stderr and "stopping prometheus" in up.stderr
    assert recorded_pids(demo_dir) == {}
    assert not processes_mentioning(demo_dir + "/nats") and not processes_mentioning(demo_dir + "/prometheus")
    assert not any(listening(ports[n]) for n in ["NATS", "REDIS", "REDIS_EXPORTER", "PROMETHEUS"])


def supervise_status(port):
    """The stand-in's own numbers (GET /metrics of meme-worker supervise)."""
    _, body = http_get(port, "/metrics")
    values = {}
    for line in body.splitlines():
        if line.startswith("meme_local_scaler_"):
            name, value = line.rsplit(" ", 1)
            values[name.split("{")[0].removeprefix("meme_local_scaler_")] = float(value)
    return values


def wait_until(what, predicate, timeout, interval=0.3):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


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
        tmux.keys("b")
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

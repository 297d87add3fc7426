"""./demo.sh up --detach / status / stop: the whole local stack on free ports, state in a temp DEMO_DIR.

Uses the debug binaries (MEME_BIN, or `swift build --show-bin-path`); never touches .demo/ or the default ports.
"""
import asyncio
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid

import pytest

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


async def submit_and_wait(nats_port, timeout=90):
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
        # Two: with activationLagThreshold 1, a lag of one does not wake a worker at zero replicas.
        for rid in [request_id, request_id + "-2"]:
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

    # A meme submitted through NATS arrives: supervise scales the worker from 0 and it answers.
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

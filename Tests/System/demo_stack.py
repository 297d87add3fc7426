"""The local stack as ./demo.sh runs it, for system tests: free ports, a temp DEMO_DIR, the debug
binaries (MEME_BIN, or `swift build --show-bin-path`); never .demo/ or the default ports."""
import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
import uuid

import pytest

from drill_support import free_port, listening  # noqa: F401 (re-exported to the demo tests)

nats = pytest.importorskip("nats")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(ROOT, "demo.sh")
SERVICES = ["nats", "redis", "redis-exporter", "prometheus", "worker", "web"]


def free_range(count, avoid=()):
    avoid = [avoid] if isinstance(avoid, int) else list(avoid)
    for base in range(31000, 60000, 37):
        if any(abs(base - a) < count + 1 for a in avoid):
            continue
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
    ports = {name: free_port() for name in ["NATS", "NATS_MONITOR", "REDIS", "REDIS_EXPORTER", "PROMETHEUS", "WEB", "CONTROL"]}
    for name, port in ports.items():
        env[f"DEMO_{name}_PORT"] = str(port)
    env["DEMO_WORKER_METRICS_BASE_PORT"] = str(free_range(10))
    env["DEMO_WEB_PROCESS_BASE_PORT"] = str(free_range(10, avoid=int(env["DEMO_WORKER_METRICS_BASE_PORT"])))
    env["DEMO_WEB_METRICS_BASE_PORT"] = str(free_range(10, avoid=[int(env["DEMO_WORKER_METRICS_BASE_PORT"]),
                                                                   int(env["DEMO_WEB_PROCESS_BASE_PORT"])]))
    env.update(DEMO_DIR=demo_dir, DEMO_BUILD="debug", DEMO_BIN=bin_dir())
    yield env, ports, demo_dir
    subprocess.run([DEMO, "stop"], env=env, capture_output=True, timeout=180)
    shutil.rmtree(demo_dir, ignore_errors=True)


def demo(env, *args, timeout=240):
    return subprocess.run([DEMO, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def manifest(demo_dir):
    """<DEMO_DIR>/stack.json (where everything of the running stack is), or None when none runs."""
    path = os.path.join(demo_dir, "stack.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def live_services(ports):
    """GET /stack on the stack's control port: every service's state now."""
    _, body = http_get(ports["CONTROL"], "/stack")
    return json.loads(body)["services"]


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


def stand_in(port):
    """The stack's GET /status: the KEDA stand-in's numbers, with the HPA's under "hpa" and the VPA's under "vpa"."""
    _, body = http_get(port, "/status")
    return json.loads(body)


def wait_until(what, predicate, timeout, interval=0.3):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")

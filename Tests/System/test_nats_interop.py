"""Interop: this Swift NATS client and nats-py exchange messages (headers included) through a real nats-server.

MEME_BIN must point at `swift build --show-bin-path` (it holds meme-bench, whose `nats-probe` drives the Swift side).
"""
import asyncio
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

nats = pytest.importorskip("nats")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    exe = shutil.which("nats-server")
    if exe is None:
        pytest.skip("nats-server not installed")
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="nats-interop")
    proc = subprocess.Popen([exe, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", tmp],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"nats://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(tmp, ignore_errors=True)


def probe():
    bin_dir = os.environ.get("MEME_BIN")
    if not bin_dir:
        pytest.skip("MEME_BIN not set (swift build --show-bin-path)")
    path = os.path.join(bin_dir, "meme-bench")
    if not os.path.exists(path):
        pytest.skip(f"{path} not built")
    return [path, "nats-probe"]


def test_swift_receives_from_nats_py(server):
    cmd = probe() + ["sub", "--server", server, "--subject", "interop.to_swift", "--timeout", "10"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "READY"

        async def send():
            nc = await nats.connect(server)
            await nc.publish("interop.to_swift", "héllo from python".encode(),
                             headers={"X-Trace": "abc-123", "Nats-Msg-Id": "m1"})
            await nc.flush()
            await nc.close()

        asyncio.run(send())
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    got = json.loads(out.strip().splitlines()[-1])
    assert got["subject"] == "interop.to_swift"
    assert got["payload"] == "héllo from python"
    assert ["X-Trace", "abc-123"] in got["headers"]
    assert ["Nats-Msg-Id", "m1"] in got["headers"]


def test_nats_py_receives_from_swift(server):
    async def run():
        nc = await nats.connect(server)
        sub = await nc.subscribe("interop.to_python")
        await nc.flush()
        cmd = probe() + ["pub", "--server", server, "--subject", "interop.to_python",
                         "--payload", "hi from swift", "--header", "X-Trace:xyz", "--header", "X-Multi:1",
                         "--header", "X-Multi:2"]
        result = await asyncio.to_thread(subprocess.run, cmd, capture_output=True, text=True, timeout=15)
        assert result.returncode == 0, result.stderr
        msg = await sub.next_msg(timeout=10)
        await nc.close()
        return msg

    msg = asyncio.run(run())
    assert msg.data == b"hi from swift"
    assert msg.headers["X-Trace"] == "xyz"

"""Hostile input and faults (issue 18): real nats-server, redis-server, meme-worker and meme-web, each probe
as an attacker or a flaky network would run it. Every test prints its measurement (`[hostile] …`) so the
before/after figures in docs/testing.md can be re-measured.

MEME_BIN must point at `swift build --show-bin-path`. See docs/testing.md, "Hostile input and fault probes".
"""
import http.client
import json
import os
import random
import select
import signal
import socket
import statistics
import threading
import time

import pytest

pytest.importorskip("nats")

from drill_support import (  # noqa: E402 (after the skip)
    Observer, Stack, free_port, http_get, http_post, listening, wait_until,
)

MIB = 1024 * 1024


@pytest.fixture
def stack(request):
    s = Stack("hostile-" + request.node.name.replace("test_", ""))
    # The ops listener (/metrics) of meme-web on a free port of its own, never the default.
    s.web_metrics_port = free_port()
    s.env["WEB_METRICS_ADDR"] = f"127.0.0.1:{s.web_metrics_port}"
    failed_before = request.session.testsfailed
    yield s
    if request.session.testsfailed > failed_before:
        print(f"\nprocess logs ({s.dir}):\n{s.logs(40)}")
    s.close(keep_dir=request.session.testsfailed > failed_before or os.environ.get("DRILL_KEEP") == "1")


def say(text):
    print(f"[hostile] {text}", flush=True)


def proc_status(pid, field):
    """A /proc/<pid>/status field in bytes (VmHWM, VmRSS)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"{field} not in /proc/{pid}/status")


def request(port, method, path, body=None, headers=None, timeout=10.0):
    """(status, headers dict (lower-case names), body bytes) through http.client: only the headers given."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def post_meme(port, prompt="hostile probe", timeout=15.0):
    body = json.dumps({"prompt": prompt}).encode()
    return request(port, "POST", "/api/memes", body, {"Content-Type": "application/json"}, timeout)


def read_until_closed(sock, timeout):
    """Everything the server sends until it closes (b"" read or reset); None if still open after `timeout`."""
    sock.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
    except (ConnectionResetError, BrokenPipeError):
        return data
    except socket.timeout:
        return None
    return None


def status_of(raw):
    """The status code of a raw HTTP response, None when there is none."""
    if not raw or not raw.startswith(b"HTTP/1.1 "):
        return None
    return int(raw[9:12])


def stream_ids(obs):
    """Every request id stored in MEMES (by reading each message), in sequence order."""
    async def read():
        jsm = obs.nc.jsm()
        info = await jsm.stream_info("MEMES")
        ids = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            try:
                msg = await jsm.get_msg("MEMES", seq)
            except Exception:  # noqa: BLE001 (a deleted sequence)
                continue
            ids.append(json.loads(msg.data)["id"])
        return ids
    return obs.run(read(), timeout=60)


# 1 ---------------------------------------------------------------------------------------------------------

def test_recent_list_costs_metadata_not_images(stack):
    """30 concurrent GET /api/memes?limit=100 with 200 stored memes (none recorded by this meme-web) keep
    meme-web under the manifest's 128Mi; the listing reads no image."""
    stack.start_nats()
    stack.start_redis()
    stack.start_worker("w1", concurrency=2)
    stack.start_web()
    obs = Observer(stack.nats_url)
    try:
        # Published straight to the stream (as `meme-console load --via nats` does): no meme-web records
        # metadata for them, so the listing must not fall back to reading the worker's full answers.
        ids = [f"list-{i:03d}" for i in range(200)]
        for rid in ids:
            assert obs.publish(json.dumps({"id": rid, "prompt": "one prompt / two hundred copies"}).encode(),
                               msg_id=rid)
        wait_until(lambda: len(obs.answered(ids)) == len(ids), 300, interval=0.5, what="200 answers")
    finally:
        obs.close()
    stored = stack.redis("STRLEN", f"meme:result:{ids[0]}")
    # A fresh meme-web: what it lists comes from Redis only.
    stack.procs["web"].terminate()
    stack.start_web()
    pid = stack.procs["web"].pid
    rss_before = proc_status(pid, "VmRSS")
    sent_before = redis_output_bytes(stack)
    results = []

    def one():
        t = time.monotonic()
        status, _, body = request(stack.web_port, "GET", "/api/memes?limit=100", timeout=120)
        results.append((status, len(body), time.monotonic() - t))
    threads = [threading.Thread(target=one) for _ in range(30)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    elapsed = time.monotonic() - t0
    hwm = proc_status(pid, "VmHWM")
    read = redis_output_bytes(stack) - sent_before
    statuses = sorted({s for s, _, _ in results})
    ok = [r for r in results if r[0] == 200]
    say(f"list: 200 memes stored ({stored} bytes per worker answer); 30 concurrent GET /api/memes?limit=100 "
        f"took {elapsed:.2f} s, statuses {statuses} ({len(ok)} × 200), read {read / MIB:.2f} MiB from Redis; "
        f"meme-web VmRSS before {rss_before / MIB:.1f} MiB, VmHWM after {hwm / MIB:.1f} MiB")
    assert len(results) == 30 and ok, f"list calls failed: {results}"
    assert all(s in (200, 429) for s, _, _ in results), results
    # The burst is spent: the next call waits for the rate limit's next token.
    listed = wait_until(lambda: (lambda r: r[0] == 200 and json.loads(r[2])["memes"])(
        request(stack.web_port, "GET", "/api/memes?limit=100")), 10, interval=0.5, what="a list call past the rate limit")
    assert len(listed) == 100 and all(m["image_url"] for m in listed), "the list lost memes or their image URLs"
    assert hwm < 128 * MIB, f"meme-web peaked at {hwm / MIB:.0f} MiB, over its 128Mi limit"
    # Metadata is a few hundred bytes a meme; one image answer alone is over 500 KB.
    assert read < len(ok) * 100 * 2048, f"the list read {read} bytes from Redis: images, not metadata"


def redis_output_bytes(stack):
    """Bytes redis-server has sent to its clients (INFO stats total_net_output_bytes)."""
    for line in stack.redis("INFO", "stats").splitlines():
        if line.startswith("total_net_output_bytes:"):
            return int(line.split(":")[1])
    raise AssertionError("no total_net_output_bytes in INFO stats")


def test_recent_list_is_rate_limited(stack):
    stack.env["WEB_LIST_RATE_LIMIT"] = "2"
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    statuses = [request(stack.web_port, "GET", "/api/memes?limit=10")[0] for _ in range(40)]
    say(f"list rate limit 2/s (burst 20): 40 quick calls → {statuses.count(200)} × 200, {statuses.count(429)} × 429")
    assert 429 in statuses and statuses[0] == 200


# 2 ---------------------------------------------------------------------------------------------------------

def test_nats_restart_leaves_one_meme_per_202_and_none_per_503(stack):
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    accepted, refused, other = [], [], []
    lock = threading.Lock()

    def client(n):
        for i in range(10):
            try:
                status, _, body = post_meme(stack.web_port, f"restart probe {n}-{i}", timeout=30)
            except OSError as e:
                status, body = None, str(e).encode()
            with lock:
                if status == 202:
                    accepted.append(json.loads(body)["id"])
                elif status == 503:
                    refused.append(body)
                else:
                    other.append((status, body[:200]))
            time.sleep(0.6)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    stack.proc("nats").terminate()
    # Longer than meme-web's 5 s submit timeout: a POST that began early in the outage cannot be
    # rescued by the reconnect and must get 503 (with 4.5 s, a quick reconnect turned them all to 202).
    time.sleep(8)
    stack.start_nats()
    for t in threads:
        t.join(120)
    stack.wait_web_ready()
    time.sleep(5)  # anything still buffered in meme-web goes out by now
    obs = Observer(stack.nats_url)
    try:
        stored = stream_ids(obs)
    finally:
        obs.close()
    ghosts = [i for i in stored if i not in set(accepted)]
    dupes = len(stored) - len(set(stored))
    missing = [i for i in accepted if i not in set(stored)]
    say(f"NATS restart during 100 POSTs: {len(accepted)} × 202, {len(refused)} × 503, {len(other)} other; "
        f"stream holds {len(stored)}: {len(ghosts)} not answered 202 (ghosts), {dupes} duplicates, "
        f"{len(missing)} accepted but missing")
    assert not other, other
    assert refused, "NATS was down for 8 s and no POST got 503: the probe did not probe"
    assert not ghosts and not dupes and not missing


# 3 ---------------------------------------------------------------------------------------------------------

def test_web_publishes_only_what_the_worker_accepts(stack):
    """A 16,383-byte body of 500 long grapheme clusters: the web must not answer 202 for a request the
    worker then refuses as too large."""
    stack.start_nats()
    stack.start_redis()
    stack.start_worker("w1")
    stack.start_web()
    prompt = ("e" + "\u0301" * 15) * 500          # 500 characters, 15,500 bytes of UTF-8
    body = json.dumps({"prompt": prompt, "top_text": ""}, ensure_ascii=False).encode()
    pad = 16_383 - len(body)
    body = json.dumps({"prompt": prompt, "top_text": "t" + "\u0301" * ((pad - 1) // 2)}, ensure_ascii=False).encode()
    body += b" " * (16_383 - len(body))
    assert len(body) == 16_383
    obs = Observer(stack.nats_url)
    try:
        status, _, answer = request(stack.web_port, "POST", "/api/memes", body, {"Content-Type": "application/json"})
        outcome = "refused at the web"
        if status == 202:
            rid = json.loads(answer)["id"]
            wait_until(lambda: obs.answered([rid]), 60, what="the worker's answer")
            got = obs.snapshot()[rid][0]
            outcome = "meme" if got.ok else f"worker error: {got.error}"
    finally:
        obs.close()
    say(f"16,383-byte body, 500-character prompt: web {status} {answer[:160]!r}; then {outcome}")
    assert status == 413 and b"16384" in answer or outcome == "meme", outcome


# 4 ---------------------------------------------------------------------------------------------------------

def test_unfinished_headers_are_closed_while_others_are_served(stack):
    stack.env["WEB_HEADER_TIMEOUT"] = "3"
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    socks = []
    t0 = time.monotonic()
    for _ in range(1000):
        s = socket.create_connection(("127.0.0.1", stack.web_port), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: slow\r\nX-Slow: ")
        socks.append(s)
    opened = time.monotonic() - t0
    status, _ = http_get(stack.web_url + "/", 5.0)
    served_meanwhile = status == 200
    open_set = {s.fileno(): s for s in socks}
    closed_at = []
    deadline = time.monotonic() + 20
    while open_set and time.monotonic() < deadline:
        readable, _, _ = select.select(list(open_set.values()), [], [], 0.5)
        for s in readable:
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data or data.startswith(b"HTTP/"):
                closed_at.append(time.monotonic() - t0)
                del open_set[s.fileno()]
                s.close()
    for s in open_set.values():
        s.close()
    say(f"1000 unfinished headers (WEB_HEADER_TIMEOUT=3): opened in {opened:.1f} s, GET / meanwhile: {status}; "
        f"{len(closed_at)} closed by the server, the last {max(closed_at, default=float('nan')):.1f} s after the "
        f"first opened; {len(open_set)} still open after 20 s")
    assert served_meanwhile
    assert not open_set, f"{len(open_set)} of 1000 unfinished-header connections still open"


def test_oversized_header_gets_431_and_close(stack):
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    with socket.create_connection(("127.0.0.1", stack.web_port), timeout=5) as s:
        try:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 150_000 + b"\r\n\r\n")
        except OSError:
            pass
        raw = read_until_closed(s, 10)
    say(f"150 KB header: {status_of(raw) if raw is not None else 'no reply, still open'}")
    assert raw is not None, "the connection was not closed"
    assert status_of(raw) == 431, raw[:200]


@pytest.mark.parametrize("kind", ["tls", "garbage"])
def test_non_http_bytes_get_400_and_close(stack, kind):
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    rng = random.Random(18)
    payload = {"tls": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + rng.randbytes(64),
               "garbage": b"\x00\x01" + rng.randbytes(510)}[kind]
    with socket.create_connection(("127.0.0.1", stack.web_port), timeout=5) as s:
        s.sendall(payload)
        raw = read_until_closed(s, 10)
    say(f"{kind} bytes: {status_of(raw) if raw is not None else 'no reply, still open'}")
    assert raw is not None, "the connection was not closed"
    assert status_of(raw) == 400, raw[:200]
    assert http_get(stack.web_url + "/healthz")[0] == 200
    # Counted, not logged as an error (anyone could flood the error log with such bytes).
    assert web_metric(stack, "meme_web_connections_rejected_total") == 1
    errors = [line for line in stack.procs["web"].tail(200).splitlines() if " error " in line]
    assert not errors, errors[:3]


def test_body_streaming_after_413_is_cut_off(stack):
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    with socket.create_connection(("127.0.0.1", stack.web_port), timeout=5) as s:
        s.sendall(b"POST /api/memes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 50000000\r\n\r\n")
        stop = threading.Event()

        def pump():
            chunk = b"x" * 16384
            while not stop.is_set():
                try:
                    s.sendall(chunk)
                except OSError:
                    return
                time.sleep(0.01)
        t = threading.Thread(target=pump, daemon=True)
        t.start()
        t0 = time.monotonic()
        raw = read_until_closed(s, 15)
        took = time.monotonic() - t0
        stop.set()
    say(f"50 MB body still streaming: {status_of(raw) if raw is not None else 'no close'} after {took:.1f} s")
    assert raw is not None, "the connection stayed open while the body kept coming"
    assert status_of(raw) == 413


def test_slow_body_is_timed_out(stack):
    stack.env["WEB_BODY_TIMEOUT"] = "3"
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    with socket.create_connection(("127.0.0.1", stack.web_port), timeout=5) as s:
        s.sendall(b"POST /api/memes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 400\r\n\r\n{\"prompt\":")
        stop = threading.Event()

        def drip():
            while not stop.is_set():
                try:
                    s.sendall(b" ")
                except OSError:
                    return
                time.sleep(0.5)
        threading.Thread(target=drip, daemon=True).start()
        t0 = time.monotonic()
        raw = read_until_closed(s, 20)
        took = time.monotonic() - t0
        stop.set()
    say(f"body dripping 1 byte per 0.5 s (WEB_BODY_TIMEOUT=3): "
        f"{status_of(raw) if raw is not None else 'still open'} after {took:.1f} s")
    assert raw is not None and took < 10


# 5 ---------------------------------------------------------------------------------------------------------

def test_web_listens_at_once_while_nats_is_down(stack):
    stack.start_redis()
    stack.start_web(wait=False)
    t0 = time.monotonic()
    try:
        wait_until(lambda: listening(stack.web_port), 10, what="meme-web listening with NATS down")
    finally:
        took = time.monotonic() - t0
        say(f"meme-web with NATS down: listening after {took:.1f} s")
    assert http_get(stack.web_url + "/healthz")[0] == 200
    status, body = http_get(stack.web_url + "/readyz")
    assert status == 503 and b"NATS" in body, (status, body)
    assert http_get(stack.web_url + "/")[0] == 200
    status, _, body = post_meme(stack.web_port)
    assert status == 503 and json.loads(body)["error"]
    stack.start_nats()
    stack.wait_web_ready(30)
    assert post_meme(stack.web_port)[0] == 202


@pytest.mark.parametrize("program", ["meme-web", "meme-worker"])
def test_sigterm_while_waiting_for_nats_exits_0(stack, program):
    stack.start_redis()
    if program == "meme-web":
        proc = stack.start_web(wait=False)
        waiting = lambda: listening(stack.web_port)  # noqa: E731
    else:
        proc = stack.start_worker("w1", wait=False)
        waiting = lambda: "waiting for NATS" in proc.tail(50)  # noqa: E731
    wait_until(waiting, 30, what=f"{program} waiting for NATS")
    t0 = time.monotonic()
    os.kill(proc.pid, signal.SIGTERM)
    proc.popen.wait(timeout=15)
    say(f"{program} SIGTERM while waiting for NATS: exit {proc.exit_code} after {time.monotonic() - t0:.2f} s")
    assert proc.exit_code == 0, proc.tail()


# 6 ---------------------------------------------------------------------------------------------------------

def test_post_requires_application_json(stack):
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    body = json.dumps({"prompt": "cross-site"}).encode()
    results = {}
    for ctype in [None, "text/notjson", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                  "application/json; charset=utf-8", "application/json"]:
        headers = {"Content-Type": ctype} if ctype else {}
        results[ctype] = request(stack.web_port, "POST", "/api/memes", body, headers)[0]
    say(f"POST Content-Type → status: {results}")
    assert all(results[c] == 415 for c in [None, "text/notjson", "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data"]), results
    assert results["application/json"] == 202 and results["application/json; charset=utf-8"] == 202


def test_metrics_are_not_on_the_public_port(stack):
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    public, _ = http_get(stack.web_url + "/metrics")
    ops, body = http_get(f"http://127.0.0.1:{stack.web_metrics_port}/metrics")
    say(f"/metrics: public port {public}, WEB_METRICS_ADDR {ops}")
    assert public == 404
    assert ops == 200 and b"meme_web_requests_total" in body
    assert http_get(f"http://127.0.0.1:{stack.web_metrics_port}/readyz")[0] == 200


def test_503_body_is_plain_and_the_log_has_the_detail(stack):
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    stack.proc("nats").terminate()
    status, headers, body = post_meme(stack.web_port, timeout=30)
    message = json.loads(body)["error"]
    say(f"503 body with NATS down: {message!r}")
    assert status == 503 and headers.get("retry-after")
    for internal in ("meme.request", "JetStream", "NATS", "within", "timed out", "nats://"):
        assert internal not in message, f"the 503 body shows '{internal}': {message}"
    assert "submit failed" in stack.procs["web"].tail(100)


# 7 ---------------------------------------------------------------------------------------------------------

def web_metric(stack, name):
    status, body = http_get(f"http://127.0.0.1:{stack.web_metrics_port}/metrics")
    assert status == 200, f"no metrics on {stack.web_metrics_port}"
    total = None
    for line in body.decode().splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total = (total or 0) + float(line.rsplit(" ", 1)[1])
    return total


def test_redis_failures_are_counted(stack):
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    stack.proc("redis").kill()
    ids = [json.loads(post_meme(stack.web_port)[2])["id"] for _ in range(3)]
    for rid in ids:
        request(stack.web_port, "GET", f"/api/memes/{rid}")
    request(stack.web_port, "GET", "/api/memes?limit=5")
    count = wait_until(lambda: web_metric(stack, "meme_web_redis_errors_total"), 10,
                       what="meme_web_redis_errors_total > 0")
    say(f"Redis down: 3 POSTs, 3 lookups, 1 list → meme_web_redis_errors_total {count:.0f}")


def test_frozen_redis_does_not_hold_posts(stack):
    """Redis frozen (SIGSTOP) while pages poll their memes: POSTs must not wait on Redis."""
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    ids = [json.loads(post_meme(stack.web_port)[2])["id"] for _ in range(5)]

    def timed_posts(n, out):
        for _ in range(n):
            t = time.monotonic()
            status = post_meme(stack.web_port, timeout=60)[0]
            out.append((status, time.monotonic() - t))

    def run(label):
        done = threading.Event()

        def poll():
            while not done.is_set():
                for rid in ids:
                    request(stack.web_port, "GET", f"/api/memes/{rid}", timeout=60)
        pollers = [threading.Thread(target=poll, daemon=True) for _ in range(4)]
        for t in pollers:
            t.start()
        out = []
        posters = [threading.Thread(target=timed_posts, args=(5, out)) for _ in range(8)]
        for t in posters:
            t.start()
        for t in posters:
            t.join(300)
        done.set()
        for t in pollers:  # joined here, not left polling a meme-web the next test stops
            t.join(120)
        times = [t for _, t in out]
        say(f"{label}: 40 POSTs from 8 clients while 4 pages poll: median {statistics.median(times):.3f} s, "
            f"max {max(times):.3f} s, statuses {sorted(set(s for s, _ in out))} (load {os.getloadavg()[0]:.1f})")
        return out
    run("Redis running")
    redis_pid = stack.proc("redis").pid
    os.kill(redis_pid, signal.SIGSTOP)
    try:
        frozen = run("Redis frozen (SIGSTOP)")
    finally:
        os.kill(redis_pid, signal.SIGCONT)
    assert all(s == 202 for s, _ in frozen)
    # The Redis client's timeout is 1 s: a POST that waited on Redis takes at least that long.
    assert max(t for _, t in frozen) < 1.0


def test_client_leaving_mid_body_is_not_an_error(stack):
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    log = stack.procs["web"].log_path
    before = os.path.getsize(log)
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", stack.web_port), timeout=5) as s:
            s.sendall(b"POST /api/memes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 1000\r\n\r\n{\"prompt\":\"half")
            time.sleep(0.05)
    time.sleep(1)
    with open(log, "rb") as f:
        f.seek(before)
        lines = f.read().decode("utf-8", "replace").splitlines()
    errors = [line for line in lines if " error " in line or " critical " in line]
    say(f"20 clients leaving mid-body: {len(errors)} error-level log lines")
    assert not errors, errors[:3]


def ws_upgrade(port):
    """(socket, status, bytes after the response head)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /api/live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return s, status_of(head), rest


def first_frame(sock, rest):
    """(opcode, payload) of the first WebSocket frame from the server (unmasked, payload < 126 bytes)."""
    data = rest
    while len(data) < 2 or len(data) < 2 + (data[1] & 0x7F):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data[0] & 0x0F, data[2:2 + (data[1] & 0x7F)]


def test_websockets_are_bounded(stack):
    stack.env["WEB_MAX_VIEWERS"] = "20"
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    pid = stack.procs["web"].pid
    rss0 = proc_status(pid, "VmRSS")
    held, refused = [], []
    for _ in range(25):
        s, status, rest = ws_upgrade(stack.web_port)
        assert status == 101, status
        opcode, payload = first_frame(s, rest)
        if opcode == 0x8:  # close
            refused.append((int.from_bytes(payload[:2], "big"), payload[2:].decode()))
            s.close()
        else:
            held.append(s)
    rss1 = proc_status(pid, "VmRSS")
    refused_total = web_metric(stack, "meme_web_websockets_refused_total")
    for s in held:
        s.close()
    # Freed slots are reusable.
    wait_until(lambda: web_metric(stack, "meme_web_websockets_open") == 0, 10, what="viewers gone")
    again, _, rest = ws_upgrade(stack.web_port)
    opcode, _ = first_frame(again, rest)
    again.close()
    say(f"WEB_MAX_VIEWERS=20: 25 upgrades → {len(held)} live, {len(refused)} closed at once {refused[:1]}; "
        f"meme_web_websockets_refused_total {refused_total}; RSS {rss0 / MIB:.1f} → {rss1 / MIB:.1f} MiB; "
        f"after closing, a new one gets opcode {opcode:#x}")
    assert len(held) == 20 and len(refused) == 5, (len(held), refused)
    assert all(code == 1013 and "viewers" in reason for code, reason in refused)
    assert refused_total == 5
    assert opcode == 0x1  # the stats message: a live viewer again


# 8 ---------------------------------------------------------------------------------------------------------

def test_queue_is_bounded_and_full_is_a_clear_answer(stack):
    stack.env["NATS_STREAM_MAX_MSGS"] = "20"
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    results = [post_meme(stack.web_port) for _ in range(30)]
    statuses = [s for s, _, _ in results]
    full = [json.loads(b)["error"] for s, _, b in results if s != 202]
    obs = Observer(stack.nats_url)
    try:
        async def info():
            return await obs.nc.jsm().stream_info("MEMES")
        config = obs.run(info()).config
    finally:
        obs.close()
    say(f"MEMES max_msgs 20: 30 POSTs → {statuses.count(202)} × 202, {len(full)} × {set(statuses) - {202}} "
        f"({full[:1]}); stream max_msgs {config.max_msgs}, max_bytes {config.max_bytes}, discard {config.discard}")
    assert statuses.count(202) == 20 and len(full) == 10
    assert all("full" in m for m in full)
    assert config.max_msgs == 20 and str(config.discard).lower().endswith("new")

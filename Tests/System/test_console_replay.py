"""meme-console --record on the real local stack, then `meme-console replay` (issue 14).

`./demo.sh up --detach` on free ports (nats-server, redis-server, prometheus, meme-web and the
local KEDA stand-in with its workers); the console runs in tmux at 120×40 with `--record` (plain
JSON Lines: a `.jsonl` name; a headless gzip recording is checked too), the
presenter's keys send a burst, the workers climb their staircase and the queue drains. While it
runs the test reads the live screen (queue and replica numbers) with the wall time around each
read. Then:

- the console is killed with SIGKILL: the file must replay up to its last complete line;
- `replay --once --json --at T` gives, for each screen read, the same pending / ack-pending /
  replica numbers the live console showed at that time;
- `replay --speed 4` in tmux shows the REPLAY badge and the staircase (replicas rising step by step,
  the stand-in's scale-up events), pauses on space, seeks, quits on q;
- `replay --asciicast` writes asciicast v2 (header keys, [time, "o", data] events, times
  increasing) whose events, played into a real terminal (tmux) in order, give the frames
  `replay --once --at` shows at those times;
- truncated, corrupt, empty and future-version copies are refused or played up to the bad line,
  naming it.

With MEME_RECORDING_DIR=docs/recordings the run is the committed rehearsal: a burst of 5000, then
it waits for scale to zero, quits with q, and writes rehearsal.jsonl.gz and rehearsal.cast there.
"""
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import time

from demo_stack import ROOT, children, demo, http_get, stack, wait_until  # noqa: F401
from tmux_session import Tmux

RECORDINGS = os.environ.get("MEME_RECORDING_DIR")
BURST = 5000 if RECORDINGS else 2000


def status(port):
    return json.loads(http_get(port, "/status")[1])


def scale_events(port, since, up=True):
    return [e for e in status(port)["events"] if e["at"] >= since and (e["to"] > e["from"]) == up]


def live_numbers(screen):
    """(pending, ack_pending, worker replicas) as the screen shows them, or None."""
    queue = re.search(r"pending (\d+)\s+ack-pending (\d+)", screen)
    worker = re.search(r"^worker\s+(\d+)\s+(\d+)\s+(\d+)", screen, re.M)
    if not queue or not worker:
        return None
    return int(queue.group(1)), int(queue.group(2)), int(worker.group(1))


def recorded_numbers(snapshot):
    q, w = snapshot.get("queue"), snapshot.get("workloads")
    if not q or not w:
        return None
    worker = next((x for x in w if x["name"] == "worker" or x["name"].endswith("meme-worker")), None)
    return (q["pending"], q["ack_pending"], worker["replicas"]) if worker else None


def console_pid(tmux):
    """The meme-console process in the tmux pane (the pane's own process, or its child)."""
    pane = int(tmux.run("list-panes", "-t", tmux.session, "-F", "#{pane_pid}").stdout.split()[0])
    for pid in [pane] + children(pane) + [c for p in children(pane) for c in children(p)]:
        with open(f"/proc/{pid}/comm") as f:
            if f.read().strip() == "meme-console":
                return pid
    raise AssertionError("no meme-console process in the tmux pane")


def replay(console, *args, check=True):
    r = subprocess.run([console, "replay", *args], capture_output=True, text=True, timeout=300)
    if check:
        assert r.returncode == 0, f"replay {' '.join(args)} failed: {r.stderr}"
    return r


def lines_of(path):
    with open(path, "rb") as f:
        return f.read().split(b"\n")


def test_record_and_replay(stack, tmp_path):
    env, ports, demo_dir = stack
    up = demo(env, "up", "--detach")
    assert up.returncode == 0, up.stderr
    scaler = ports.get("CONTROL") or ports["SUPERVISE"]
    console = os.path.join(env["DEMO_BIN"], "meme-console")
    recording = str(tmp_path / "rehearsal.jsonl")
    tmux = Tmux(demo_dir, session="console")
    tmux.start(f"env LANG=C.UTF-8 TERM=xterm-256color NATS_URL=nats://127.0.0.1:{ports['NATS']} "
               f"NATS_MONITOR_URL=http://127.0.0.1:{ports['NATS_MONITOR']} "
               f"PROMETHEUS_URL=http://127.0.0.1:{ports['PROMETHEUS']} LOCAL_SCALER_URL=http://127.0.0.1:{scaler} "
               f"{console} dashboard --mode local --record {recording}", width=120, height=40)
    reads = []  # (wall time before, wall time after, numbers on the screen)

    def read_screen():
        before = time.time()
        screen = tmux.screen()
        after = time.time()
        numbers = live_numbers(screen)
        if numbers is not None:
            reads.append((before, after, numbers))
        return screen

    try:
        tmux.wait_for("the first frame", lambda s: "recording to" in s and "nats ok" in s and "stand-in ok" in s, timeout=60)
        wait_until("a first decision", lambda: status(scaler)["read_at"], timeout=30)
        time.sleep(10 if RECORDINGS else 2)  # the rehearsal shows the quiet system for a while
        read_screen()  # the quiet system

        # The presenter's burst: N = 1000 (key 5), then + once (2000) or twice (5000), then b.
        start = time.time()
        tmux.keys("5")
        for _ in range(1 if BURST == 2000 else 2):
            tmux.keys("+")
        tmux.press_until_taken("b")
        tmux.wait_for("the burst", lambda s: f"burst of {BURST}" in s, timeout=30)
        # The staircase: the scale-up policy's steps, 15 s apart; the screen read every 2 s meanwhile.
        deadline = time.time() + 300
        while time.time() < deadline:
            read_screen()
            if len(scale_events(scaler, start)) >= 2 and status(scaler)["lag"] == 0:
                break
            time.sleep(2)
        steps = scale_events(scaler, start)
        assert len(steps) >= 2, f"no staircase: {steps}"
        # The last step's processes may still be starting (a loaded CI machine takes seconds to start ten):
        # let the screen catch up with it, so the recording holds the whole staircase.
        top = max(e["to"] for e in steps)
        wait_until("the replicas to reach the last step", lambda: (lambda n: n and n[2] >= top)(live_numbers(read_screen())),
                   timeout=60)
        time.sleep(2)
        read_screen()  # drained

        if RECORDINGS:
            s = wait_until("the countdown", lambda: (lambda st: st if st["scale_to_zero_in_seconds"] else None)(status(scaler)),
                           timeout=120)
            wait_until("scale to zero", lambda: [e for e in scale_events(scaler, start, up=False) if e["to"] == 0],
                       timeout=s["cooldown_period_seconds"] + 90)
            time.sleep(3)
            read_screen()
            tmux.keys("q")
            wait_until("the console to quit", lambda: not tmux.alive(), timeout=15)
        else:
            # A crash: the file must still replay, up to its last complete line.
            os.kill(console_pid(tmux), signal.SIGKILL)
            wait_until("the console to die", lambda: not tmux.alive(), timeout=15)
    finally:
        tmux.close()

    # The file: a header, then complete JSON lines (the last one may only be cut by the kill).
    raw = lines_of(recording)
    header = json.loads(raw[0])
    assert header["type"] == "header" and header["version"] == 1 and header["mode"] == "local", header
    assert set(header["sources"]) >= {"nats", "prometheus", "stand_in"}, header
    body = [json.loads(line) for line in raw[1:] if line.strip()]
    # The terminal at start (tmux may size the pane a moment after the console took it), then its resizes.
    sizes = [header["terminal"]] + [{"columns": line["columns"], "rows": line["rows"]} for line in body if line["type"] == "resize"]
    assert sizes[-1]["columns"] == 120 and sizes[-1]["rows"] in (39, 40), sizes  # 39 when tmux shows its status line
    assert any(line["type"] == "key" and line["key"] == "b" and line["effect"] == f"submit {BURST}" for line in body), "the burst key"
    assert (body[-1]["type"] == "end") == bool(RECORDINGS)
    times = [line["t"] for line in body]
    assert times == sorted(times)
    size = os.path.getsize(recording)
    with open(recording, "rb") as f:
        packed = len(gzip.compress(f.read()))
    per10 = 600 / times[-1] / 1e6
    print(f"recording: {times[-1]:.0f} s, {len(body)} lines; per 10 min at this pace: plain {size * per10:.2f} MB, "
          f"gzip about {packed * per10:.2f} MB (target < 2 MB; a busy burst dominates this short run)")

    # --once --json --at: the numbers the live screen showed at each read.
    snapshot_times = [line["t"] for line in body if line["type"] in ("snapshot", "delta")]
    for before, after, numbers in reads:
        # The screen showed the last snapshot drawn before the read ended (or, if tmux had not caught up
        # with the newest draw yet, one just before it): the last three recorded by then.
        window = [t for t in snapshot_times if t <= after - header["start"]][-3:]
        seen = [recorded_numbers(json.loads(replay(console, recording, "--once", "--json", "--at", f"{t:.3f}").stdout)) for t in window]
        assert numbers in seen, f"screen at {before - header['start']:.2f}–{after - header['start']:.2f} s showed {numbers}; replay: {seen}"
    assert len(reads) >= 5, reads
    assert any(n[0] + n[1] > 0 for _, _, n in reads), f"no read caught the queue: {reads}"

    # The staircase in the recording: the stand-in's scale-up events, in order.
    final = json.loads(replay(console, recording, "--once", "--json").stdout)
    ups = [e["message"] for e in final["events"] if e["kind"] == "keda" and re.match(r"worker (\d+) → (\d+)", e["message"])
           and int(re.match(r"worker (\d+) → (\d+)", e["message"]).group(2)) > int(re.match(r"worker (\d+)", e["message"]).group(1))]
    assert len(ups) >= 2, final["events"]

    check_gzip_recording(console, ports, scaler, tmp_path)
    burst_key = next(line["t"] for line in body if line["type"] == "key" and line["key"] == "b")
    check_replay_in_tmux(console, recording, tmp_path, burst_key, ups, recorded_numbers(final)[2])
    check_asciicast(console, recording, tmp_path)
    check_bad_copies(console, recording, tmp_path)

    if RECORDINGS:
        out = os.path.join(ROOT, RECORDINGS)
        os.makedirs(out, exist_ok=True)
        with open(recording, "rb") as f, gzip.open(os.path.join(out, "rehearsal.jsonl.gz"), "wb") as z:
            shutil.copyfileobj(f, z)
        replay(console, recording, "--asciicast", os.path.join(out, "rehearsal.cast"), "--size", "120x40")


def check_gzip_recording(console, ports, scaler, tmp_path):
    """--record FILE.gz --headless, killed with SIGKILL: gzip that zcat reads and replay plays to its last line."""
    path = str(tmp_path / "headless.jsonl.gz")
    env = dict(os.environ, NATS_URL=f"nats://127.0.0.1:{ports['NATS']}", PROMETHEUS_URL=f"http://127.0.0.1:{ports['PROMETHEUS']}",
               LOCAL_SCALER_URL=f"http://127.0.0.1:{scaler}")
    proc = subprocess.Popen([console, "--mode", "local", "--record", path, "--headless"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(6)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    with open(path, "rb") as f:
        assert f.read(2) == b"\x1f\x8b"
    text = subprocess.run(["zcat", path], capture_output=True).stdout.decode()  # no trailer: zcat complains, prints all
    lines = text.splitlines()
    assert json.loads(lines[0])["type"] == "header" and len(lines) >= 3, lines[:3]
    last = json.loads(lines[-1])
    snapshot = json.loads(replay(console, path, "--once", "--json", "--at", str(last["t"])).stdout)
    assert snapshot["mode"] == "local" and snapshot["sources"]["nats"]["state"] == "ok", snapshot["sources"]


def check_replay_in_tmux(console, recording, tmp_path, burst_key, ups, top):
    """At 4×, from 5 s before the burst: the badge, then the replicas climbing step by step to `top`,
    the count the recording ends with (the replicas running, which may trail the last decision)."""
    (tmp_path / "replay").mkdir()
    tmux = Tmux(str(tmp_path / "replay"), session="replay")
    tmux.start(f"env LANG=C.UTF-8 TERM=xterm-256color {console} replay {recording} --speed 4 --from {max(0, burst_key - 5):.1f}",
               width=120, height=40)
    try:
        screen = tmux.wait_for("the REPLAY badge", lambda s: "REPLAY ×4" in s, timeout=30)
        assert "● live" not in screen
        seen, shown = [], set()
        wanted = [u.split(":")[0] for u in ups[:2]]  # "worker 0 → 1 (lag 2000)" as the events panel shows it
        deadline = time.time() + 90
        while time.time() < deadline:
            screen = tmux.screen()
            numbers = live_numbers(screen)
            if numbers and (not seen or seen[-1] != numbers[2]):
                seen.append(numbers[2])
            shown.update(w for w in wanted if w in screen)
            if len(shown) == len(wanted) and seen and seen[-1] >= top:
                break
            time.sleep(0.25)
        assert shown == set(wanted), f"staircase events not shown: {wanted}, seen {shown}"
        rising = [v for i, v in enumerate(seen) if i == 0 or v > seen[i - 1]]
        # At 4× a snapshot is on screen for about 0.25 s, so a short-lived level (0 → 1 → 5) may slip
        # between two reads; the climb from none to the recording's last count may not.
        assert rising == sorted(rising) and rising[0] < top and rising[-1] == top, f"replicas seen while replaying: {seen} (recording ends at {top})"
        # Keys: space pauses, ← and → seek, ? shows the replay's keys, q quits.
        tmux.keys("Space")
        tmux.wait_for("paused", lambda s: "‖ REPLAY ×4" in s and "␣ play" in s, timeout=10)
        def position(screen):
            m = re.search(r"REPLAY ×4\s+(\d+):(\d+)", screen)
            return int(m.group(1)) * 60 + int(m.group(2))
        # The climb ends near the recording's end: ← first (10 s back, or to the start), then → has 10 s to go.
        before = position(tmux.screen())
        tmux.keys("Left")
        back = position(tmux.wait_for("the seek back", lambda s: position(s) != before, timeout=10))
        assert 9 <= before - back <= 11 or back == 0, f"← moved from {before} s to {back} s"
        tmux.keys("Right")
        forward = position(tmux.wait_for("the seek forward", lambda s: position(s) != back, timeout=10))
        assert 9 <= forward - back <= 11, f"→ moved from {back} s to {forward} s"
        tmux.keys("?")
        tmux.wait_for("the replay's help", lambda s: "REPLAY KEYS" in s and "back / forward 10 s" in s, timeout=10)
        tmux.keys("q")
        wait_until("replay to quit", lambda: not tmux.alive(), timeout=10)
    finally:
        tmux.close()


def check_asciicast(console, recording, tmp_path):
    cast = str(tmp_path / "rehearsal.cast")
    r = replay(console, recording, "--asciicast", cast, "--size", "100x30")
    assert "asciicast v2" in r.stderr, r.stderr
    with open(cast) as f:
        lines = f.read().splitlines()
    header = json.loads(lines[0])
    assert header["version"] == 2 and header["width"] == 100 and header["height"] == 30, header
    assert isinstance(header["timestamp"], int) and header["env"]["TERM"], header
    events = [json.loads(line) for line in lines[1:]]
    assert len(events) > 50
    last = -1.0
    for e in events:
        assert isinstance(e, list) and len(e) == 3 and isinstance(e[0], (int, float)) and e[1] == "o" and isinstance(e[2], str), e
        assert e[0] > last, f"time {e[0]} after {last}"
        last = e[0]
    # Played into a real terminal in order, the first k events give the frame replay shows at event k's time.
    for k in [len(events) // 3, 2 * len(events) // 3, len(events)]:
        part = str(tmp_path / f"cast-{k}.out")
        with open(part, "w") as f:
            f.write("".join(e[2] for e in events[:k]))
        own = tmp_path / f"cast{k}"  # a tmux server (socket) each: a stopping one must not take the next session down
        own.mkdir()
        tmux = Tmux(str(own), session=f"cast{k}")
        tmux.start(f"sleep 1; cat {part}; sleep 600", width=100, height=30)
        rows = int(tmux.run("display-message", "-p", "-t", tmux.session, "#{pane_height}").stdout)
        if rows < 30:  # tmux's status line takes a row: the pane must be the cast's 100×30
            tmux.run("resize-window", "-t", tmux.session, "-y", str(30 + 30 - rows))
        try:
            at = f"{events[k - 1][0]:.3f}"
            want = [line.rstrip() for line in replay(console, recording, "--once", "--at", at, "--size", "100x30").stdout.split("\n")]
            want = want[:30] + [""] * (30 - len(want))
            got = tmux.wait_for(f"the cast's frame {k}", lambda s: "MEME CONSOLE" in s, timeout=15)
            time.sleep(0.5)
            got = [line.rstrip() for line in tmux.screen().split("\n")][:30]
            got += [""] * (30 - len(got))
            assert got == want, "cast frame %d differs:\n%s\n---- replay --once:\n%s" % (k, "\n".join(got), "\n".join(want))
        finally:
            tmux.close()


def check_bad_copies(console, recording, tmp_path):
    """Each bad copy: an error naming the line; what comes before a bad line still plays."""
    raw = [line for line in lines_of(recording) if line]
    middle = len(raw) // 2
    t_before = json.loads(raw[middle - 1])["t"]

    def write(name, data):
        path = str(tmp_path / name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    # Truncated in the middle of a line (a console killed while writing, or a copy cut short).
    truncated = write("truncated.jsonl", b"\n".join(raw[:middle]) + b"\n" + raw[middle][:40])
    r = replay(console, truncated, "--once", "--json", "--at", f"{t_before:.3f}")
    assert f"line {middle + 1}: truncated" in r.stderr, r.stderr
    assert json.loads(r.stdout)["mode"] == "local"
    r = replay(console, truncated, "--once", "--json", "--at", "100000", check=False)
    assert r.returncode == 1 and "past the end" in r.stderr and f"line {middle + 1}" in r.stderr, r.stderr

    # Corrupt: a line that is not JSON.
    corrupt = write("corrupt.jsonl", b"\n".join(raw[:middle] + [b"{\"t\": oops"] + raw[middle + 1:]) + b"\n")
    r = replay(console, corrupt, "--once", "--json", "--at", f"{t_before:.3f}")
    assert f"line {middle + 1}: not JSON" in r.stderr, r.stderr
    assert recorded_numbers(json.loads(r.stdout)) == recorded_numbers(
        json.loads(replay(console, recording, "--once", "--json", "--at", f"{t_before:.3f}").stdout))

    # Empty.
    r = replay(console, write("empty.jsonl", b""), "--once", check=False)
    assert r.returncode == 1 and "empty" in r.stderr, r.stderr

    # A newer format.
    future = write("future.jsonl", b"\n".join([raw[0].replace(b'"version":1', b'"version":2')] + raw[1:]) + b"\n")
    r = replay(console, future, "--once", check=False)
    assert r.returncode == 1 and "line 1" in r.stderr and "version 2 is newer" in r.stderr, r.stderr

    # Not there at all.
    r = replay(console, str(tmp_path / "missing.jsonl"), "--once", check=False)
    assert r.returncode == 1 and "missing.jsonl" in r.stderr, r.stderr

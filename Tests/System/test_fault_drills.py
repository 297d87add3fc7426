"""Fault drills: real nats-server / redis-server / meme-worker / meme-web, load from `meme-console load`,
one fault injected per drill, and a one-paragraph report each (sent, answered, errors, lost, time to recover).

MEME_BIN must point at `swift build --show-bin-path` (meme-worker, meme-web, meme-console). DRILL_SECONDS
sets the length of the malformed-input storm (default 20 s). DRILL_KEEP=1 keeps each drill's temp dir
(configs, JetStream store, process logs). See docs/testing.md, "Fault drills".
"""
import json
import os
import random
import socket
import threading
import time

import pytest

pytest.importorskip("nats")

from drill_support import (  # noqa: E402 (after the skip)
    LoadRun, Observer, Stack, drill_seconds, drill_stack, http_get, http_post, report, wait_until, write_prompts,
)

# Few distinct prompts: after the first render of each, answers are cache hits, so the drills are about
# delivery, not rendering speed.
FEW_PROMPTS = [
    "one does not simply / kill the broker",
    "keep calm / and replay the stream",
    "the worker died / long live the worker",
    "redis is down / memes are not",
]


@pytest.fixture
def emit(request):
    """Prints a drill's report past pytest's output capture (and appends it to $DRILL_REPORT_FILE)."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")

    def _emit(text):
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.ensure_newline()
                reporter.write_line(text)
        else:
            print(text)
        path = os.environ.get("DRILL_REPORT_FILE")
        if path:
            with open(path, "a") as f:
                f.write(text + "\n")
    return _emit


@pytest.fixture
def stack(request):
    yield from drill_stack(request, Stack)


@pytest.fixture
def observers():
    made = []

    def make(url):
        o = Observer(url)
        made.append(o)
        return o
    yield make
    for o in made:
        o.close()


def start_workers(stack, names, **kw):
    for n in names:
        stack.start_worker(n, wait=False, **kw)
    for n in names:
        stack.wait_worker_ready(n)


def warm_cache(stack, prompts, count):
    """Renders each prompt once, so the drill's answers are cache hits."""
    run = LoadRun(stack, count=count, prefix="warm-", timeout=60, prompts=prompts)
    s = run.wait(90)
    assert s["answered"] == count, f"warm-up: {s}"


def wait_stream_empty(observer, timeout=30):
    """(messages, num_pending, num_ack_pending, num_redelivered) once the MEMES stream has drained, or as
    last seen after `timeout`. Drained means nothing stored is left unanswered: the work-queue stream drops a
    message only on ack/term, and the worker acks only after the answer is published."""
    state = {}

    def empty():
        state["v"] = observer.stream_state()
        messages, pending, ack_pending, _ = state["v"]
        return messages == 0 and pending == 0 and ack_pending == 0
    try:
        wait_until(empty, timeout, interval=0.25, what="the MEMES stream to drain")
    except AssertionError:
        pass
    return state["v"]


def drained(state):
    return state[0] == 0 and state[1] == 0 and state[2] == 0


# 1 ------------------------------------------------------------------------------------------------


def test_nats_killed_and_restarted_mid_load(stack, observers, emit):
    stack.start_nats()
    stack.start_redis()
    workers = ["worker-1", "worker-2"]
    start_workers(stack, workers)
    prompts = write_prompts(stack, FEW_PROMPTS)
    obs = observers(stack.nats_url)
    warm_cache(stack, prompts, len(FEW_PROMPTS))

    # A short answer timeout: answers published while the tool was reconnecting never reach it (core NATS),
    # and those are looked up in Redis below instead of waited for.
    load = LoadRun(stack, count=240, rate=24, prefix="d1-", timeout=15, prompts=prompts)

    # Probes: requests of our own next to the tool's, each id remembered with whether JetStream stored it,
    # so "every stored request is answered" can be checked id by id.
    probes = []  # (id, stored, monotonic time of the ack or failure)
    stop = threading.Event()

    def probe_loop():
        n = 0
        while not stop.is_set():
            pid = f"d1probe-{n}"
            body = json.dumps({"id": pid, "prompt": FEW_PROMPTS[n % len(FEW_PROMPTS)], "small_image": True})
            ok = obs.publish(body.encode(), msg_id=pid, timeout=5.0)
            probes.append((pid, ok, time.monotonic()))
            n += 1
            stop.wait(0.1)
    prober = threading.Thread(target=probe_loop, daemon=True)
    prober.start()
    try:
        wait_until(lambda: load.latest()["answered"] >= 40, 60, what="40 answers before the kill")
        before = load.latest()
        t_kill = time.monotonic()
        probes_stored_before_kill = sum(1 for _, ok, t in probes if ok and t < t_kill)
        stack.proc("nats").kill()
        time.sleep(1.5)
        stack.start_nats()  # same ports, same config, same JetStream file store
        t_up = time.monotonic()
        wait_until(lambda: all(stack.worker_ready(w) for w in workers), 60, interval=0.1,
                   what="workers ready again after the restart (they must reconnect by themselves)")
        t_workers = time.monotonic()
        answered_at_up = load.latest()["answered"]
        summary = load.wait(120)
    finally:
        stop.set()
        prober.join(15)

    # What was stored is all answered: live on meme.response or (answers published while a client was
    # still reconnecting never reach it: core NATS) kept by id in Redis, where meme-web's GET finds it.
    stored_probes = [pid for pid, ok, _ in probes if ok]
    def probes_answered():
        live = obs.answered(stored_probes)
        kept = stack.result_ids("d1probe-")
        return [p for p in stored_probes if p not in live and p not in kept]
    try:
        wait_until(lambda: not probes_answered(), 30, interval=0.5, what="every stored probe answered")
    except AssertionError:
        pass
    lost_probes = probes_answered()
    stream = wait_stream_empty(obs)
    kept_tool = stack.result_ids("d1-")
    # The tool's "in flight" ids are stored and not answered live. Those kept in Redis were answered while
    # the tool was reconnecting. Exact when no publish timed out; with publish errors this is a lower bound
    # (a timed-out publish may still have been stored, and its answer is in Redis too) and the drained
    # stream is what proves nothing stored is left.
    missed_live = len(kept_tool) - summary["answered"]
    lost_tool = max(0, summary["in_flight"] - missed_live)
    t_resumed = load.first_progress_after(t_up, lambda p: p["answered"] > answered_at_up)
    live_probe_answers = len(obs.answered(stored_probes))

    sent = summary["sent"] + len(probes)
    answered = summary["answered"] + live_probe_answers
    errors = summary["publish_errors"] + summary["answer_errors"] + sum(1 for _, ok, _ in probes if not ok)
    emit(report(
        "1 nats-server SIGKILLed and restarted mid-load (JetStream file store)",
        sent, answered, errors, len(lost_probes) + lost_tool, t_workers - t_up,
        f"Load tool: {summary['sent']} sent at 24/s, {summary['stored']} stored ({before['stored']} before the kill), "
        f"{summary['answered']} answered live, {summary['publish_errors']} publishes failed during the outage, "
        f"{max(0, missed_live)} answered while the tool was reconnecting (found in Redis by id). "
        f"Probes: {len(probes)} sent, {len(stored_probes)} stored ({probes_stored_before_kill} before the kill), "
        f"{live_probe_answers} answered live, {len(lost_probes)} lost. "
        f"Server down {t_up - t_kill:.1f} s; workers ready {t_workers - t_up:.1f} s after the restart; "
        f"the tool's answers resumed "
        + (f"{t_resumed - t_up:.1f} s after the restart" if t_resumed else "(no progress line after the restart)")
        + f"; stream after the run: {stream[0]} messages, {stream[1]} pending, {stream[2]} awaiting ack, "
        f"{stream[3]} redelivered and unacked."))

    assert not lost_probes, f"stored probes never answered: {lost_probes[:10]}"
    assert drained(stream), f"stored requests left in the stream (messages, pending, ack pending): {stream}"
    assert lost_tool == 0, f"load tool: {summary['in_flight']} unanswered, only {missed_live} found in Redis: {summary}"
    assert summary["answer_errors"] == 0, summary
    assert summary["stored"] > before["stored"], "the load tool did not publish again after the restart"
    assert all(stack.proc(w).alive for w in workers), stack.logs()


# 2 ------------------------------------------------------------------------------------------------


def test_redis_killed_for_10_seconds(stack, observers, emit):
    stack.start_nats()
    stack.start_redis()
    workers = ["worker-1", "worker-2"]
    start_workers(stack, workers)
    prompts = write_prompts(stack, FEW_PROMPTS[:3])
    obs = observers(stack.nats_url)
    warm_cache(stack, prompts, 3)

    def cache_errors():
        return sum(stack.worker_metric(w, "meme_generator_cache_errors_total") or 0 for w in workers)

    def d2_answers():
        return [a for rid, answers in obs.snapshot().items() if rid.startswith("d2-") for a in answers]

    errors_before = cache_errors()
    load = LoadRun(stack, count=240, rate=10, prefix="d2-", timeout=60, prompts=prompts)
    wait_until(lambda: sum(1 for a in d2_answers() if a.cached) >= 5, 60, what="cached answers before the outage")
    t_down = time.monotonic()
    stack.proc("redis").kill()
    time.sleep(10)
    errors_during = cache_errors()
    stack.start_redis()  # same port; empty (persistence off), so the first answer per prompt is a miss
    t_up = time.monotonic()

    def first_hit_after_up():
        hits = [a.at for a in d2_answers() if a.cached and a.at > t_up]
        return min(hits) if hits else None
    # The worker's Redis client reconnects with backoff (≤ 5 s); the load runs ~10 s past the restart.
    summary = load.wait(120)
    extra = 0
    while first_hit_after_up() is None and extra < 20:
        # The load ended before caching resumed: keep asking, one request a second, for up to 20 s.
        LoadRun(stack, count=1, prefix=f"d2-extra{extra}-", timeout=30, prompts=prompts).wait(60)
        extra += 1
        time.sleep(1)
    t_hit = first_hit_after_up()

    answers = d2_answers()
    during = [a for a in answers if t_down + 1 <= a.at <= t_up]
    cached_during = [a for a in during if a.cached]
    after = [a for a in answers if a.at > t_up]
    errors_after = cache_errors()
    lost = summary["in_flight"]
    emit(report(
        "2 redis-server SIGKILLed for 10 s",
        summary["sent"] + extra, summary["answered"] + extra, summary["publish_errors"] + summary["answer_errors"],
        lost, (t_hit - t_up) if t_hit else "never",
        f"Load 10/s over {len(FEW_PROMPTS[:3])} prompts; {len(during)} memes made while Redis was down "
        f"({len(cached_during)} of them cached), {len(after)} after it came back "
        f"({sum(1 for a in after if a.cached)} cached); worker cache errors +{errors_during - errors_before:.0f} during "
        f"the outage (+{errors_after - errors_before:.0f} in all); the first cache hit came "
        + (f"{t_hit - t_up:.1f} s after redis-server was back" if t_hit else "never")
        + (f" ({extra} extra requests needed)" if extra else "") + "."))

    assert lost == 0, summary
    assert summary["answer_errors"] == 0 and summary["publish_errors"] == 0, summary
    assert len(during) >= 10, f"memes did not keep coming while Redis was down: {len(during)}"
    assert not cached_during, f"{len(cached_during)} answers claimed a cache hit while Redis was down"
    assert errors_during > errors_before, "cache errors were not counted"
    assert t_hit is not None, "caching never resumed after Redis came back"
    assert all(stack.proc(w).alive for w in workers), stack.logs()


# 3 ------------------------------------------------------------------------------------------------


def test_workers_sigkilled_repeatedly_during_a_burst(stack, observers, emit):
    stack.start_nats()
    stack.start_redis()
    workers = ["worker-1", "worker-2", "worker-3"]
    start_workers(stack, workers)
    prompts = write_prompts(stack, FEW_PROMPTS)
    obs = observers(stack.nats_url)
    warm_cache(stack, prompts, len(FEW_PROMPTS))

    count = int(os.environ.get("DRILL_BURST", "600"))
    load = LoadRun(stack, count=count, prefix="d3-", timeout=90, prompts=prompts)
    kills = []  # (time, worker, tool in-flight at the kill)
    wait_until(lambda: load.latest()["answered"] > 0 or not load.running, 60, what="the burst to start")
    while load.running and len(kills) < 8:
        p = load.latest()
        if p["sent"] == count and p["in_flight"] == 0:
            break
        victim = workers[len(kills) % len(workers)]
        stack.proc(victim).kill()
        kills.append((time.monotonic(), victim, p["in_flight"]))
        stack.start_worker(victim, wait=False)  # a new pod, as a Deployment would start
        time.sleep(0.8)
    summary = load.wait(150)
    for w in workers:
        stack.wait_worker_ready(w)
    stream = wait_stream_empty(obs)

    answers = {rid: a for rid, a in obs.snapshot().items() if rid.startswith("d3-")}
    twice = {rid: a for rid, a in answers.items() if len(a) > 1}
    conflicting = {rid: sorted({x.image for x in a}) for rid, a in twice.items() if len({x.image for x in a}) > 1}
    errored = [rid for rid, a in answers.items() if not all(x.ok for x in a)]
    t_last_kill = kills[-1][0] if kills else None
    t_last_answer = max((x.at for a in answers.values() for x in a), default=None)
    during_burst = [k for k in kills if k[2] > 0]
    emit(report(
        "3 workers SIGKILLed repeatedly during a burst",
        summary["sent"], summary["answered"], summary["publish_errors"] + summary["answer_errors"],
        summary["in_flight"], (t_last_answer - t_last_kill) if kills and t_last_answer else "n/a",
        f"Burst of {count} over {len(workers)} workers (ack_wait 3 s); {len(kills)} SIGKILLs "
        f"({len(during_burst)} with requests in flight: "
        + ", ".join(f"{w} at {n} in flight" for _, w, n in kills) + "), each worker restarted at once; "
        f"{len(twice)} ids answered more than once, {len(conflicting)} of them with different images; "
        f"stream after the run: {stream[0]} messages, {stream[2]} awaiting ack. "
        f"Time to recover = last kill → last answer."))

    assert during_burst, f"no worker was killed while the burst was in flight (kills: {kills}); raise DRILL_BURST"
    assert summary["in_flight"] == 0, summary
    assert summary["answer_errors"] == 0 and summary["publish_errors"] == 0, summary
    assert not errored, f"answered with an error: {errored[:10]}"
    assert not conflicting, f"ids answered with different images: {list(conflicting.items())[:5]}"
    assert drained(stream), f"stored requests left in the stream (messages, pending, ack pending): {stream}"
    assert len(answers) == summary["stored"], f"observer saw {len(answers)} of {summary['stored']} ids"


# 4 ------------------------------------------------------------------------------------------------


def test_meme_web_restarted_while_clients_wait(stack, observers, emit):
    stack.start_nats()
    stack.start_redis()
    stack.start_web()
    prompts = write_prompts(stack, FEW_PROMPTS)
    api = stack.web_url + "/api/memes"

    # Load through the web tier the whole time (POSTs while meme-web is down are refused: client-side errors,
    # not losses); no worker yet, so everything accepted waits in the stream.
    load = LoadRun(stack, count=64, rate=4, via="web", prefix="d4-", timeout=60, prompts=prompts)
    ids = []
    for i in range(12):
        status, body = http_post(api, json.dumps({"prompt": FEW_PROMPTS[i % 4], "small_image": True}).encode())
        assert status == 202, (status, body)
        ids.append(json.loads(body)["id"])
    status, body = http_get(f"{api}/{ids[0]}")
    assert status == 200 and json.loads(body)["status"] == "queued", (status, body)

    t_kill = time.monotonic()
    stack.proc("web").kill()
    workers = ["worker-1", "worker-2"]
    start_workers(stack, workers)
    # The results arrive while meme-web is down (the workers keep them by id in Redis).
    wait_until(lambda: set(ids) <= stack.result_ids(""), 60, interval=0.2, what="results while meme-web is down")
    t_answered = time.monotonic()
    time.sleep(1)

    t_restart = time.monotonic()
    stack.start_web()
    t_ready = time.monotonic()
    found, images = [], 0
    for rid in ids:
        status, body = http_get(f"{api}/{rid}")
        if status == 200 and json.loads(body).get("status") == "done":
            found.append(rid)
            istatus, ibody = http_get(f"{api}/{rid}/image")
            if istatus == 200 and ibody.startswith(b"\x89PNG"):
                images += 1
    t_found = time.monotonic()
    # The restarted meme-web takes new work, and answers reach it again.
    status, body = http_post(api, json.dumps({"prompt": FEW_PROMPTS[0], "small_image": True}).encode())
    assert status == 202, (status, body)
    new_id = json.loads(body)["id"]
    wait_until(lambda: http_get(f"{api}/{new_id}")[1].find(b'"done"') >= 0, 30, interval=0.2,
               what="a meme submitted after the restart")
    summary = load.wait(120)

    lost = (len(ids) - len(found)) + summary["in_flight"]
    emit(report(
        "4 meme-web SIGKILLed and restarted while clients wait",
        len(ids) + 1 + summary["sent"], len(found) + 1 + summary["answered"],
        summary["publish_errors"] + summary["answer_errors"], lost, t_ready - t_restart,
        f"{len(ids)} memes submitted by POST, meme-web killed, workers started: all answered "
        f"{t_answered - t_kill:.1f} s after the kill while meme-web was down; the restarted meme-web was ready "
        f"in {t_ready - t_restart:.1f} s and GET /api/memes/{{id}} found {len(found)}/{len(ids)} done "
        f"({images} images served) within {t_found - t_ready:.1f} s; a new submit was answered. Load tool via web "
        f"at 4/s: {summary['sent']} sent, {summary['stored']} accepted, {summary['publish_errors']} refused while "
        f"meme-web was down, {summary['answered']} answered, {summary['in_flight']} accepted and unanswered."))

    assert len(found) == len(ids), f"not found after the restart: {set(ids) - set(found)}"
    assert images == len(ids)
    assert summary["in_flight"] == 0, summary
    assert summary["answer_errors"] == 0, summary


# 5 ------------------------------------------------------------------------------------------------


def _truncated_json(rng, rid):
    full = json.dumps({"id": rid, "prompt": "a perfectly good prompt / cut short", "small_image": True})
    while True:
        cut = full[: rng.randrange(1, len(full) - 1)]
        try:
            json.loads(cut)
        except ValueError:
            return cut.encode()


def bad_nats_payload(rng, rid):
    """(kind, payload) of one malformed request; every kind must be answered with an error."""
    kind = rng.choice(["random", "truncated", "huge", "utf8", "empty", "not-object", "wrong-type", "long-prompt"])
    if kind == "random":
        return kind, b"\x00" + rng.randbytes(rng.randrange(1, 4000))
    if kind == "truncated":
        return kind, _truncated_json(rng, rid)
    if kind == "huge":
        size = rng.choice([20_000, 100_000, 1_000_000])
        return kind, json.dumps({"id": rid, "prompt": "x" * size}).encode()
    if kind == "utf8":
        return kind, b'{"id":"' + rid.encode() + b'","prompt":"caf\xc3 \xff\xfe broken"}'
    if kind == "empty":
        return kind, b""
    if kind == "not-object":
        return kind, rng.choice([b"[1,2,3]", b"42", b"null", b'"just a string"'])
    if kind == "wrong-type":
        return kind, json.dumps({"id": rid, "prompt": rng.choice([42, None, ["a"], {"b": 1}])}).encode()
    return kind, json.dumps({"id": rid, "prompt": "y" * 501}).encode()


def bad_http_request(rng):
    """(kind, body, content type, acceptable statuses)."""
    kind = rng.choice(["random", "truncated", "huge-prompt", "huge-body", "utf8", "empty", "wrong-type", "content-type"])
    if kind == "random":
        return kind, b"\x00" + rng.randbytes(rng.randrange(1, 4000)), "application/json", {400}
    if kind == "truncated":
        return kind, _truncated_json(rng, "ignored"), "application/json", {400}
    if kind == "huge-prompt":
        return kind, json.dumps({"prompt": "z" * rng.randrange(501, 15_000)}).encode(), "application/json", {400}
    if kind == "huge-body":
        return kind, json.dumps({"prompt": "z" * 200_000}).encode(), "application/json", {413}
    if kind == "utf8":
        return kind, b'{"prompt":"caf\xc3 \xff broken"}', "application/json", {400}
    if kind == "empty":
        return kind, b"", "application/json", {400}
    if kind == "wrong-type":
        return kind, json.dumps({"prompt": 42}).encode(), "application/json", {400}
    return kind, json.dumps({"prompt": "fine words"}).encode(), "text/plain", {415}


def raw_garbage(port, rng):
    """Bytes that are not HTTP at all, straight to meme-web's socket; whatever it answers, it must live on."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(rng.choice([b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + rng.randbytes(64),
                                  b"GET /" + b"A" * 20_000 + b" HTTP/1.1\r\n\r\n",
                                  b"POST /api/memes HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                                  rng.randbytes(512)]))
            try:
                s.recv(1024)
            except OSError:
                pass
    except OSError:
        pass


def test_malformed_input_storm(stack, observers, emit):
    seconds = drill_seconds(20.0)
    seed = int(os.environ.get("DRILL_SEED") or random.randrange(1, 1 << 31))
    rng = random.Random(seed)
    stack.start_nats()
    stack.start_redis()
    workers = ["worker-1", "worker-2"]
    start_workers(stack, workers)
    stack.start_web()
    prompts = write_prompts(stack, FEW_PROMPTS)
    obs = observers(stack.nats_url)
    warm_cache(stack, prompts, len(FEW_PROMPTS))

    good_nats = LoadRun(stack, count=max(1, int(5 * seconds)), rate=5, prefix="d5-", timeout=60, prompts=prompts)
    good_web = LoadRun(stack, count=max(1, int(3 * seconds)), rate=3, via="web", prefix="d5w-", timeout=60,
                       prompts=prompts)
    bad_nats = {}   # id -> kind
    not_stored = []
    bad_http = []   # (kind, status, acceptable, body)
    garbage = 0
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        rid = f"d5bad-{n}"
        kind, payload = bad_nats_payload(rng, rid)
        if obs.publish(payload, msg_id=rid, timeout=5.0):
            bad_nats[rid] = kind
        else:
            not_stored.append((rid, kind))
        if n % 2 == 0:
            hkind, body, ctype, acceptable = bad_http_request(rng)
            status, text = http_post(stack.web_url + "/api/memes", body, content_type=ctype)
            bad_http.append((hkind, status, acceptable, text))
        if n % 10 == 0:
            raw_garbage(stack.web_port, rng)
            garbage += 1
        n += 1
        time.sleep(0.02)

    s_nats = good_nats.wait(120)
    s_web = good_web.wait(120)

    def unanswered_bad():
        got = obs.snapshot()
        return [rid for rid in bad_nats if rid not in got]
    try:
        wait_until(lambda: not unanswered_bad(), 30, interval=0.25, what="an error answer for every bad request")
    except AssertionError:
        pass
    missing_bad = unanswered_bad()
    got = obs.snapshot()
    answered_wrongly = {rid: bad_nats[rid] for rid in bad_nats if rid in got and any(a.ok for a in got[rid])}
    bad_errors = sum(1 for rid in bad_nats if rid in got and not any(a.ok for a in got[rid]))
    http_wrong = [(k, s, t[:200]) for k, s, acc, t in bad_http if s not in acc]
    http_unclear = []
    for k, s, acc, t in bad_http:
        if s in acc:
            try:
                if not json.loads(t).get("error"):
                    http_unclear.append((k, s, t[:200]))
            except ValueError:
                http_unclear.append((k, s, t[:200]))
    stream = wait_stream_empty(obs)
    alive = {name: p.alive for name, p in stack.procs.items() if not name.startswith("load-")}

    good_sent = s_nats["sent"] + s_web["sent"]
    good_answered = s_nats["answered"] + s_web["answered"]
    lost = s_nats["in_flight"] + s_web["in_flight"] + len(missing_bad)
    kinds = {}
    for k in bad_nats.values():
        kinds[k] = kinds.get(k, 0) + 1
    emit(report(
        f"5 malformed-input storm for {seconds:.0f} s (DRILL_SEED={seed})",
        good_sent + len(bad_nats) + len(bad_http), good_answered + bad_errors + len(bad_http) - len(http_wrong),
        bad_errors + len(bad_http), lost, "n/a (nothing went down)",
        f"Good: {good_sent} sent (nats {s_nats['sent']}, web {s_web['sent']}), {good_answered} answered with a meme, "
        f"{s_nats['answer_errors'] + s_web['answer_errors'] + s_nats['publish_errors'] + s_web['publish_errors']} "
        f"errors. Bad via NATS: {len(bad_nats)} stored ("
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) + f"), {bad_errors} answered with an error, "
        f"{len(answered_wrongly)} answered with a meme, {len(missing_bad)} unanswered"
        + (f", {len(not_stored)} refused by JetStream" if not_stored else "") + ". "
        f"Bad via HTTP: {len(bad_http)} POSTs, {len(bad_http) - len(http_wrong)} got the expected 4xx with an error "
        f"message; {garbage} non-HTTP connections. All processes alive: {all(alive.values())}; "
        f"{stream[0]} messages left in the stream."))

    assert all(alive.values()), f"a process died: {alive}\n{stack.logs()}"
    assert drained(stream), f"requests left in the stream (messages, pending, ack pending): {stream}"
    assert not answered_wrongly, f"bad requests answered with a meme: {answered_wrongly}"
    assert not missing_bad, f"bad requests without an answer: {missing_bad[:10]}"
    assert not http_wrong, f"unexpected HTTP statuses: {http_wrong[:5]}"
    assert not http_unclear, f"4xx without an error message: {http_unclear[:5]}"
    for s in (s_nats, s_web):
        assert s["in_flight"] == 0 and s["answer_errors"] == 0 and s["publish_errors"] == 0, s
    # A 1 MB request is far over the worker's 16 KiB limit yet within NATS max_payload: the storm got through.
    assert len(bad_nats) >= 10

"""The cluster drill (issue 15): three nats-servers as a JetStream cluster (meme-stack with DEMO_NATS_CLUSTER=3),
the MEMES stream and its consumer R3, two meme-workers and meme-web given all three URLs; 600 requests at 50/s
through meme-web; the stream leader SIGKILLed mid-load (the stack's supervisor starts it again, as a StatefulSet
would), then a second member restarted (SIGTERM). Every request is answered — live on meme.response or, when the
listener was itself moving between servers, kept by id in Redis — none lost; answers seen more than once are
counted and explained (at least once); the worker and web processes are never restarted; reconnect times are
read from their logs.

MEME_BIN must point at `swift build --show-bin-path`. DRILL_KEEP=1 keeps the temp dir.
"""
import os
import re
import signal
import time

import pytest

pytest.importorskip("nats")

from drill_support import (  # noqa: E402
    LoadRun, Observer, Stack, drill_stack, http_get, report, wait_until, write_prompts,
)
from test_fault_drills import FEW_PROMPTS, drained, emit, start_workers, wait_stream_empty, warm_cache  # noqa: E402,F401

COUNT = 600
RATE = 50


class ClusterStack(Stack):
    """A drill stack whose nats is a 3-member cluster; our programs get every member's URL and R3."""

    def __init__(self, name):
        super().__init__(name)
        self.runner.env["DEMO_NATS_CLUSTER"] = "3"
        self.env["NATS_STREAM_REPLICAS"] = "3"
        # Rides out a stream-leader election (seconds) instead of answering 503 to the submit.
        self.env["WEB_SUBMIT_TIMEOUT"] = "30"

    @property
    def nats_url(self):
        self._servers()
        return self.runner.urls["nats"]

    def members(self):
        """name -> member (url, monitor_url, pid, running), live from the stack."""
        live = self.runner.live() or {}
        return {m["name"]: m for m in live.get("nats_cluster") or []}

    def member_healthy(self, name):
        m = self.members().get(name)
        return bool(m) and http_get(m["monitor_url"] + "/healthz", 0.5)[0] == 200


@pytest.fixture
def cluster_stack(request):
    yield from drill_stack(request, ClusterStack)


_RECONNECTED = re.compile(r"after_ms=(\d+)")


def reconnect_times(proc):
    """Milliseconds from losing a server to being connected to one again, per reconnect, from the log."""
    try:
        with open(proc.log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return []
    return [int(m.group(1)) for line in text.splitlines() if "reconnected" in line for m in [_RECONNECTED.search(line)] if m]


def log_count(proc, text):
    try:
        with open(proc.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace").count(text)
    except OSError:
        return 0


def test_stream_leader_killed_and_a_second_member_restarted(cluster_stack, emit):  # noqa: F811 (the emit fixture)
    stack = cluster_stack
    stack.start_nats()
    stack.start_redis()
    wait_until(lambda: len(stack.members()) == 3 and all(stack.member_healthy(n) for n in stack.members()), 60,
               interval=0.2, what="three healthy cluster members")
    workers = ["worker-1", "worker-2"]
    start_workers(stack, workers)
    stack.start_web()
    prompts = write_prompts(stack, FEW_PROMPTS)
    obs = Observer(stack.nats_url.split(","))
    try:
        info = obs.run(obs.js.stream_info("MEMES"))
        assert info.config.num_replicas == 3, info.config
        warm_cache(stack, prompts, len(FEW_PROMPTS))

        load = LoadRun(stack, count=COUNT, rate=RATE, via="web", prefix="c-", timeout=60, prompts=prompts,
                       publish_timeout=35)
        warm_ids = stack.result_ids("")
        wait_until(lambda: load.latest()["answered"] >= 100, 60, what="100 answers before the kill")
        leader = obs.run(obs.js.stream_info("MEMES")).cluster.leader
        victim = stack.members()[leader]
        t_kill = time.monotonic()
        os.kill(victim["pid"], signal.SIGKILL)
        # The stack's supervisor starts it again; it rejoins once it caught up.
        wait_until(lambda: stack.members()[leader]["pid"] != victim["pid"] and stack.member_healthy(leader), 90,
                   interval=0.2, what=f"{leader} back and healthy")
        t_back = time.monotonic()
        def current_leader():
            try:
                return obs.run(obs.js.stream_info("MEMES"), timeout=5).cluster.leader
            except Exception:  # noqa: BLE001 (an election in progress)
                return None
        new_leader = wait_until(current_leader, 30, interval=0.2, what="a stream leader after the kill")
        time.sleep(3)
        second = next(n for n in sorted(stack.members()) if n != leader)
        second_pid = stack.members()[second]["pid"]
        t_second = time.monotonic()
        os.kill(second_pid, signal.SIGTERM)
        wait_until(lambda: stack.members()[second]["pid"] != second_pid and stack.member_healthy(second), 90,
                   interval=0.2, what=f"{second} restarted and healthy")
        t_second_back = time.monotonic()
        summary = load.wait(240)

        # meme-web names the requests (uuids): the run's are the results kept since it started. A worker keeps the
        # result by id before it acks, so a drained stream and a result per stored request is "every one answered";
        # the load tool hears most live, the rest while its own connection was moving (core NATS does not replay).
        stream = wait_stream_empty(obs)
        kept = stack.result_ids("") - warm_ids
        missed_live = max(0, min(len(kept), summary["stored"]) - summary["answered"])
        lost = max(0, summary["stored"] - len(kept))
        seen = obs.snapshot()
        repeated = {i: len(seen[i]) for i in kept if len(seen.get(i, [])) > 1}
        redelivered = stream[3]
        worker_reconnects = {w: reconnect_times(stack.proc(w)) for w in workers}
        web_reconnects = reconnect_times(stack.proc("web"))
        republished = sum(log_count(stack.proc(w), "published again after a reconnect") for w in workers)
        restarted = [p for p in workers + ["web"] if stack.proc(p).starts != 1 or not stack.proc(p).alive]

        emit(report(
            "7 JetStream cluster: stream leader SIGKILLed, a second member restarted (R3, 3 URLs)",
            summary["sent"], summary["answered"] + missed_live,
            summary["publish_errors"] + summary["answer_errors"], lost, t_back - t_kill,
            f"{COUNT} requests at {RATE}/s through meme-web: {summary['stored']} stored, {summary['answered']} answered live, "
            f"{missed_live} answered while the load tool itself was reconnecting (kept in Redis by id), "
            f"{summary['publish_errors']} submits refused, {summary['answer_errors']} error answers. "
            f"Killed stream leader {leader}; new leader {new_leader}; {leader} healthy again {t_back - t_kill:.1f} s later. "
            f"Then {second} restarted (SIGTERM): healthy again after {t_second_back - t_second:.1f} s. "
            f"{len(repeated)} ids answered more than once on meme.response ({sum(repeated.values()) - len(repeated)} "
            f"extra answers; at least once: {republished} answers re-published by a worker whose server died before "
            f"confirming them, the rest redeliveries of requests whose ack was lost with the leader). Reconnect times (ms): workers {worker_reconnects}, web {web_reconnects}. Stream after the run: "
            f"{stream[0]} messages, {stream[1]} pending, {stream[2]} awaiting ack ({redelivered} redelivered). "
            f"Processes restarted: {restarted or 'none'}."))

        assert lost == 0, f"{summary['in_flight']} unanswered, only {missed_live} found in Redis: {summary}"
        assert summary["publish_errors"] == 0, summary
        assert summary["answer_errors"] == 0, summary
        assert drained(stream), f"stored requests left in the stream: {stream}"
        assert not restarted, stack.logs()
    finally:
        obs.close()

#!/usr/bin/env python3
"""Scaling report: meme throughput with 1, 2, 4 workers, and a plot of a burst handled by the local autoscaler.

Part 1 starts, for each N in --workers, its own nats-server (through `meme-stack --only nats`, the one
definition of the local servers) and N `meme-worker` processes (no Redis, so every meme is rendered), sends a
burst with `meme-console load`, and prints answers/s, speed-up and CPU-seconds per meme.
Part 2 starts `meme-stack --only nats,worker` (nats-server and the local stand-in for KEDA), sends a burst,
samples the consumer lag and the stand-in's replica gauges every 0.5 s, and writes a CSV and a PNG.

Everything listens on 127.0.0.1 free ports, keeps its state in a temp dir, and is stopped at the end.

    MEME_BIN=.build/debug python3 stress/scaling_report.py
    python3 stress/scaling_report.py --workers 1,2 --count 100 --skip-burst

Needs python3 with matplotlib (pip install matplotlib); nats-server on PATH.
"""

import argparse
import csv
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")
sys.path.insert(0, os.path.join(ROOT, "Tests", "System"))
from drill_support import StackRunner  # noqa: E402 (the local stack, shared with the drills)


class ReportError(Exception):
    pass


# The folder with our binaries (set by main from --bin).
BIN = [None]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=2.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def wait_until(what, predicate, timeout, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ReportError(f"{what}: process exited with status {proc.returncode}")
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise ReportError(f"{what}: not ready within {timeout:.0f} s")


def http_ok(url):
    try:
        return http_get(url, timeout=1.0)[0] == 200
    except OSError:
        return False


class Processes:
    """Every process this script starts; stop_all() sends SIGTERM, then SIGKILL after a grace period."""

    def __init__(self):
        self.procs = []

    def start(self, name, args, env, log_dir):
        log = open(os.path.join(log_dir, f"{name}.log"), "wb")
        p = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        log.close()
        self.procs.append((name, p))
        return p

    def stop(self, p, grace=25.0):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(grace)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def stop_all(self, grace=25.0):
        for _, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for _, p in reversed(self.procs):
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []


def start_nats(tmp):
    """nats-server through meme-stack (its nats.conf, ports and readiness as ./demo.sh runs it)."""
    runner = StackRunner(tempfile.mkdtemp(prefix="nats-", dir=tmp), only=("nats",), bin_dir=BIN[0])
    try:
        runner.start()
    except AssertionError as e:
        raise ReportError(str(e))
    nats_pid = runner.service("nats")["pid"]
    return runner, runner.urls["nats"], runner.urls["nats_monitor"], nats_pid


def child_env(nats_url, **extra):
    env = dict(os.environ)
    env.pop("HF_API_TOKEN", None)  # offline renders: the same work on every run, no network
    env.pop("HF_API_TOKEN_FILE", None)
    env.update(NATS_URL=nats_url, REDIS_URL="off")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def cpu_seconds(pid):
    """utime + stime of one process from /proc/<pid>/stat (fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def run_load(bin_dir, nats_url, count, prefix, timeout, tmp):
    """`meme-console load` as a burst of distinct prompts; returns (summary dict, wall seconds to its exit)."""
    prompts = os.path.join(tmp, f"{prefix}prompts.txt")
    with open(prompts, "w") as f:
        for i in range(count):
            f.write(f"A {prefix}{i} cat explaining horizontal pod autoscaling, number {i}\n")
    args = [os.path.join(bin_dir, "meme-console"), "load", "--count", str(count), "--json", "--small",
            "--prompts", prompts, "--nats-url", nats_url, "--timeout", str(timeout), "--id-prefix", prefix]
    t0 = time.monotonic()
    with tempfile.TemporaryFile(dir=tmp) as out, tempfile.TemporaryFile(dir=tmp) as err:
        p = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        killer = threading.Timer(timeout + 30, p.kill)
        killer.start()
        _, status, usage = os.wait4(p.pid, 0)  # wait4 for the load tool's own CPU time
        killer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    try:
        summary = json.loads(stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise ReportError(f"meme-console load printed no JSON summary (exit {p.returncode}): {stderr[-500:]}")
    summary["_cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return summary, wall


def throughput(bin_dir, tmp, workers, count, concurrency):
    rows = []
    for n in workers:
        procs = Processes()
        runner = None
        try:
            runner, nats_url, _, nats_pid = start_nats(tmp)
            log_dir = tempfile.mkdtemp(prefix=f"workers{n}-", dir=tmp)
            ws = []
            for i in range(1, n + 1):
                mport = free_port()
                p = procs.start(f"w{i}", [os.path.join(bin_dir, "meme-worker")],
                                child_env(nats_url, METRICS_ADDR=f"127.0.0.1:{mport}", WORKER_NAME=f"w{i}",
                                          WORKER_CONCURRENCY=concurrency), log_dir)
                ws.append((p, mport))
            for i, (p, mport) in enumerate(ws, 1):
                wait_until(f"worker w{i} /readyz", lambda m=mport: http_ok(f"http://127.0.0.1:{m}/readyz"), 60, p)
            cpu0 = sum(cpu_seconds(p.pid) for p, _ in ws)
            nats0 = cpu_seconds(nats_pid)
            la0 = loadavg()
            summary, wall = run_load(bin_dir, nats_url, count, f"tp{n}-", 75, tmp)
            cpu = sum(cpu_seconds(p.pid) for p, _ in ws) - cpu0
            nats_cpu = cpu_seconds(nats_pid) - nats0
            answered = summary_answered(summary)
            rate = summary_rate(summary, answered, wall)
            total = cpu + nats_cpu + summary["_cpu_seconds"]
            seconds = (summary.get("snapshot") or {}).get("answering_s") or wall
            rows.append(dict(workers=n, answered=answered, sent=count, rate=rate,
                             cpu_per_meme=cpu / answered if answered else float("nan"),
                             other_per_meme=(nats_cpu + summary["_cpu_seconds"]) / answered if answered else float("nan"),
                             cores_busy=total / seconds if seconds else float("nan"),
                             cpu=cpu, load_start=la0, load_end=loadavg(), summary=summary))
            print(f"  {n} worker(s): {answered}/{count} answered, {rate:.1f}/s, worker CPU {cpu:.1f} s",
                  file=sys.stderr)
        finally:
            procs.stop_all()
            if runner is not None:
                runner.stop()
    return rows


def summary_answered(summary):
    snap = summary.get("snapshot") or {}
    if not isinstance(snap.get("answered"), int):
        raise ReportError(f"meme-console load summary has no snapshot.answered: {sorted(summary)}")
    return snap["answered"]


def summary_rate(summary, answered, wall):
    """Answers/s from the first submit to the last answer, on meme-console's clock; else over its run time."""
    seconds = (summary.get("snapshot") or {}).get("answering_s") or 0
    if seconds > 0:
        return answered / seconds
    return answered / wall if wall > 0 else float("nan")


def consumer_lag(monitor_url):
    _, body = http_get(f"{monitor_url}/jsz?accounts=true&streams=true&consumers=true")
    lag = 0
    for account in json.loads(body).get("account_details") or []:
        for stream in account.get("stream_detail") or []:
            if stream.get("name") != "MEMES":
                continue
            for consumer in stream.get("consumer_detail") or []:
                if consumer.get("name") == "meme-generator":
                    lag += consumer.get("num_pending", 0) + consumer.get("num_ack_pending", 0)
    return lag


def scaler_gauges(metrics_url):
    _, body = http_get(f"{metrics_url}/metrics")
    out = {}
    for line in body.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, value = line.rsplit(" ", 1)
        base = name.split("{", 1)[0]
        if base in ("meme_local_scaler_replicas", "meme_local_scaler_desired_replicas",
                    "meme_local_scaler_terminating", "meme_local_scaler_lag_threshold"):
            out[base] = float(value)
    return out


def burst(bin_dir, tmp, count, polling, cooldown, stabilization, max_seconds):
    samples = []
    env = dict(os.environ)
    env.pop("HF_API_TOKEN", None)  # offline renders: the same work on every run, no network
    env.pop("HF_API_TOKEN_FILE", None)
    env["REDIS_URL"] = "off"
    runner = StackRunner(tempfile.mkdtemp(prefix="stack-", dir=tmp), only=("nats", "worker"), env=env, bin_dir=bin_dir,
                         args=["--polling-interval", str(polling), "--cooldown-period", str(cooldown),
                               "--scale-down-stabilization", str(stabilization)])
    try:
        try:
            runner.start()
        except AssertionError as e:
            raise ReportError(str(e))
        nats_url, monitor_url, metrics_url = runner.urls["nats"], runner.urls["nats_monitor"], runner.urls["control"]
        # The stand-in creates the stream and consumer; the lag is readable once they exist.
        wait_until("MEMES consumer", lambda: consumer_lag(monitor_url) == 0 and "meme-generator" in
                   http_get(f"{monitor_url}/jsz?accounts=true&streams=true&consumers=true")[1], 30, runner.popen)

        t0 = time.monotonic()
        stop = threading.Event()
        threshold = [5.0]

        def sample():
            while not stop.is_set():
                t = time.monotonic() - t0
                try:
                    lag = consumer_lag(monitor_url)
                    g = scaler_gauges(metrics_url)
                    threshold[0] = g.get("meme_local_scaler_lag_threshold", threshold[0])
                    samples.append(dict(t=round(t, 2), lag=lag,
                                        replicas=g.get("meme_local_scaler_replicas", float("nan")),
                                        desired=g.get("meme_local_scaler_desired_replicas", float("nan")),
                                        terminating=g.get("meme_local_scaler_terminating", float("nan")),
                                        load=loadavg()))
                except (OSError, ValueError):
                    pass
                stop.wait(max(0.0, 0.5 - (time.monotonic() - t0 - t)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        time.sleep(2)  # a baseline at zero replicas before the burst
        burst_at = time.monotonic() - t0
        summary, wall = run_load(bin_dir, nats_url, count, "burst-", 75, tmp)
        answered_at = time.monotonic() - t0
        # Drain and cooldown: wait until the supervisor is back at zero replicas (and a little after).
        deadline = time.monotonic() + max_seconds
        zero_since = None
        while time.monotonic() < deadline:
            last = samples[-1] if samples else None
            if last and last["replicas"] == 0 and last["desired"] == 0 and not last["terminating"] > 0:
                zero_since = zero_since or time.monotonic()
                if time.monotonic() - zero_since > 3:
                    break
            else:
                zero_since = None
            time.sleep(0.5)
        stop.set()
        sampler.join(2)
        return dict(samples=samples, summary=summary, burst_at=burst_at, answered_at=answered_at,
                    load_wall=wall, threshold=threshold[0], polling=polling, cooldown=cooldown,
                    stabilization=stabilization, count=count)
    finally:
        runner.stop()


def write_csv(path, samples):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["t", "lag", "replicas", "desired", "terminating", "load"])
        w.writeheader()
        w.writerows(samples)


def plot(path, b, max_replicas):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = b["samples"]
    t = [x["t"] for x in s]
    fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(9, 6.2), dpi=110,
                                   gridspec_kw=dict(height_ratios=[3, 2]))
    ax1.plot(t, [x["lag"] for x in s], color="tab:blue", lw=1.8, label="consumer lag (num_pending + num_ack_pending)")
    ax1.axhline(b["threshold"], color="tab:red", ls="--", lw=1.2, label=f"lagThreshold = {b['threshold']:g}")
    ax1.set_ylabel("queue lag (messages)")
    ax1.grid(alpha=0.3)
    ax1.legend(loc="center right", fontsize=9)
    ax1.set_title(f"Local autoscaler (meme-stack's KEDA stand-in) on a burst of {b['count']} memes", fontsize=11)

    # KEDA's own target before the HPA's stabilisation and rate limits: ceil(lag / lagThreshold), capped at max.
    keda = [min(max_replicas, math.ceil(x["lag"] / b["threshold"])) for x in s]
    ax2.step(t, keda, where="post", color="tab:blue", lw=1.0, alpha=0.6,
             label="ceil(lag / lagThreshold), capped (from sampled lag)")
    ax2.step(t, [x["replicas"] for x in s], where="post", color="tab:green", lw=3.0, alpha=0.8, label="running replicas")
    ax2.step(t, [x["desired"] for x in s], where="post", color="tab:orange", lw=1.5, ls="--", label="desired replicas")
    ax2.axhline(max_replicas, color="grey", ls=":", lw=1, label=f"maxReplicaCount = {max_replicas}")
    ax2.set_ylabel("worker replicas")
    ax2.set_xlabel("seconds since start of sampling")
    ax2.set_ylim(-0.3, max_replicas + 1.5)
    ax2.grid(alpha=0.3)
    ax2.legend(loc="center right", fontsize=8.5)
    for ax in (ax1, ax2):
        ax.axvline(b["burst_at"], color="black", lw=0.8, alpha=0.5)
        ax.axvline(b["answered_at"], color="black", lw=0.8, alpha=0.5, ls="-.")
    ax1.annotate("burst sent", (b["burst_at"], ax1.get_ylim()[1] * 0.12), xytext=(4, 0),
                 textcoords="offset points", fontsize=8, va="top")
    ax1.annotate("last answer", (b["answered_at"], ax1.get_ylim()[1] * 0.12), xytext=(4, 0),
                 textcoords="offset points", fontsize=8, va="top")
    fig.text(0.01, 0.005, f"pollingInterval {b['polling']} s, cooldownPeriod {b['cooldown']} s, scale-down "
             f"stabilization {b['stabilization']} s; 512 px offline renders, no Redis; 2-core machine, {b.get('build', 'debug build')}",
             fontsize=7.5, color="dimgrey")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    fig.savefig(path)
    plt.close(fig)


def max_replica_count(scaled_object):
    with open(scaled_object) as f:
        for line in f:
            if line.strip().startswith("maxReplicaCount:"):
                return int(line.split(":", 1)[1])
    raise ReportError(f"{scaled_object}: no maxReplicaCount")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.environ.get("MEME_BIN", os.path.join(ROOT, ".build", "debug")),
                    help="folder with meme-worker and meme-console (env MEME_BIN; default .build/debug)")
    ap.add_argument("--workers", default="1,2,4", help="worker counts for the throughput table (default 1,2,4)")
    ap.add_argument("--count", type=int, default=400, help="requests per throughput burst (default 400)")
    ap.add_argument("--concurrency", type=int, default=1, help="WORKER_CONCURRENCY of each worker (default 1)")
    ap.add_argument("--burst", type=int, default=300, help="requests in the autoscaler burst (default 300)")
    ap.add_argument("--scaled-object", default=os.path.join(ROOT, "k8s", "base", "worker", "scaledobject.yaml"),
                    help="read for maxReplicaCount in the plot; meme-stack itself reads k8s/base")
    ap.add_argument("--polling-interval", type=int, default=1)
    ap.add_argument("--cooldown-period", type=int, default=10)
    ap.add_argument("--scale-down-stabilization", type=int, default=10)
    ap.add_argument("--png", default=os.path.join(ROOT, "docs", "img", "local-autoscaler-burst.png"))
    ap.add_argument("--csv", default=None, help="CSV of the burst samples (default: next to the PNG)")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-burst", action="store_true")
    a = ap.parse_args()

    BIN[0] = a.bin
    for name in ("meme-stack", "meme-worker", "meme-console"):
        if not os.access(os.path.join(a.bin, name), os.X_OK):
            sys.exit(f"error: {os.path.join(a.bin, name)} is missing or not executable "
                     f"(build with `swift build` or set MEME_BIN to the folder holding it)")
    if shutil.which("nats-server") is None:
        sys.exit("error: nats-server is not on PATH")
    if not os.path.isfile(a.scaled_object):
        sys.exit(f"error: ScaledObject {a.scaled_object} not found")
    try:
        workers = [int(x) for x in a.workers.split(",") if x.strip()]
        if not workers or min(workers) < 1:
            raise ValueError
    except ValueError:
        sys.exit(f"error: --workers must be a comma separated list of counts ≥ 1, not {a.workers!r}")
    if not a.skip_burst:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            sys.exit("error: matplotlib is missing: pip install matplotlib")

    tmp = tempfile.mkdtemp(prefix="scaling-report-")
    started = time.time()
    try:
        print(f"# Scaling report {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
              f"binaries {a.bin}, load average at start {loadavg():.2f}")
        if not a.skip_throughput:
            rows = throughput(a.bin, tmp, workers, a.count, a.concurrency)
            base = rows[0]["rate"]
            print(f"\nThroughput: burst of {a.count} small (512 px) offline memes, no Redis, "
                  f"WORKER_CONCURRENCY={a.concurrency}\n")
            print("| workers | answered | answered/s | speed-up vs 1 | worker CPU-s per meme | "
                  "nats-server + load tool CPU-s per meme | cores busy (workers + nats + tool) | load avg start → end |")
            print("|---:|---:|---:|---:|---:|---:|---:|---|")
            for r in rows:
                print(f"| {r['workers']} | {r['answered']}/{r['sent']} | {r['rate']:.1f} | "
                      f"{r['rate'] / base:.2f}× | {r['cpu_per_meme']:.3f} | {r['other_per_meme']:.3f} | "
                      f"{r['cores_busy']:.2f} | {r['load_start']:.1f} → {r['load_end']:.1f} |")
        if not a.skip_burst:
            b = burst(a.bin, tmp, a.burst, a.polling_interval, a.cooldown_period,
                      a.scale_down_stabilization, 60)
            os.makedirs(os.path.dirname(os.path.abspath(a.png)), exist_ok=True)
            csv_path = a.csv or os.path.splitext(a.png)[0] + ".csv"
            write_csv(csv_path, b["samples"])
            b["build"] = "release build" if "release" in os.path.realpath(a.bin) else "debug build"
            plot(a.png, b, max_replica_count(a.scaled_object))
            s = b["samples"]
            peak = max((x["replicas"] for x in s), default=0)
            peak_lag = max((x["lag"] for x in s), default=0)
            first_up = next((x["t"] for x in s if x["replicas"] > 0), None)
            last_up = max((x["t"] for x in s if x["replicas"] > 0), default=None)
            print(f"\nBurst: {a.burst} sent at t={b['burst_at']:.1f} s, "
                  f"{summary_answered(b['summary'])} answered by t={b['answered_at']:.1f} s; peak lag {peak_lag}, "
                  f"peak replicas {peak:g}; first replica at t={first_up}, last replica gone after t={last_up}; "
                  f"{len(s)} samples")
            print(f"CSV {csv_path}\nPNG {a.png}")
        print(f"\nload average at end {loadavg():.2f}; took {time.time() - started:.0f} s")
    except ReportError as e:
        sys.exit(f"error: {e} (logs kept in {tmp})")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

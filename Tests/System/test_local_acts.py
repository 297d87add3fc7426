"""The talk's acts on the local stack (real processes): `meme-console act conflict` starts the VPA
stand-in on meme-web acting on CPU; once it raises the web processes' CPU request (restarting them
in turn, web served throughout), the HPA stand-in's CPU utilisation falls; `act harmony` stops it;
`act keda-only` pauses the HPA and VPA stand-ins.

meme-stack runs on the `stack` fixture's free ports with short stand-in periods (the demo's
defaults would make this test minutes long); meme-console's page loads give meme-web some CPU.
"""
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

from demo_stack import ROOT, http_get, stack, wait_until  # noqa: F401
from tmux_session import Tmux


def status(port):
    return json.loads(http_get(port, "/status")[1])


def cpu(st):
    """The HPA stand-in's cpu metric: (request per pod in millicores, utilisation %), utilisation None before a sample."""
    m = next((m for m in st["hpa"]["metrics"] if m["name"] == "cpu"), None)
    return (m["request"], m["current_utilization"]) if m else (None, None)


def start_stack(env, demo_dir):
    binary = env["DEMO_BIN"]
    log = open(os.path.join(demo_dir, "stack.log"), "a")
    proc = subprocess.Popen(
        [f"{binary}/meme-stack", "up", "--dir", demo_dir, "--k8s", os.path.join(ROOT, "k8s", "base"), "--bin", binary,
         "--hpa-sync-period", "2", "--hpa-initial-readiness-delay", "2", "--vpa-sample-interval", "1",
         "--act-vpa-update-interval", "5"],
        env={**env, "MEME_DEMO_DIR": demo_dir}, stdout=log, stderr=log, start_new_session=True)
    wait = subprocess.run([f"{binary}/meme-stack", "wait", "--dir", demo_dir, "--pid", str(proc.pid), "--timeout", "120"],
                          capture_output=True, text=True)
    assert wait.returncode == 0, wait.stderr + open(os.path.join(demo_dir, "stack.log")).read()[-3000:]
    return proc


def act(env, ports, name):
    return subprocess.run([f"{env['DEMO_BIN']}/meme-console", "act", name, "--mode", "local",
                           "--local-scaler-url", f"http://127.0.0.1:{ports['CONTROL']}"],
                          capture_output=True, text=True, timeout=60)


def once_json(env, ports):
    run = subprocess.run([f"{env['DEMO_BIN']}/meme-console", "dashboard", "--mode", "local", "--once", "--json",
                          "--nats-url", f"nats://127.0.0.1:{ports['NATS']}", "--prometheus-url", f"http://127.0.0.1:{ports['PROMETHEUS']}",
                          "--local-scaler-url", f"http://127.0.0.1:{ports['CONTROL']}"], capture_output=True, text=True, timeout=60)
    # Exit 1 says a required source did not answer; the snapshot is printed either way.
    assert run.returncode in (0, 1) and run.stdout.strip(), run.stderr
    return json.loads(run.stdout)


def cpu_conflicts(report):
    return [w for w in report["warnings"] if w["kind"] == "hpa-vpa" and w["resource"] == "cpu"]


def test_conflict_raises_the_request_and_the_hpa_utilisation_falls(stack):
    env, ports, demo_dir = stack
    proc = start_stack(env, demo_dir)
    scaler = ports["CONTROL"]
    # Page loads through the proxy: meme-web has CPU to measure (the idle process uses next to none).
    traffic = subprocess.Popen([f"{env['DEMO_BIN']}/meme-console", "load", "--web-traffic", "4", "--duration", "240",
                                "--web-url", f"http://127.0.0.1:{ports['WEB']}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert status(scaler)["act"] == "harmony"
        wait_until("a CPU utilisation", lambda: cpu(status(scaler))[1] is not None, timeout=90)
        assert status(scaler)["web_vpa"] is None
        assert once_json(env, ports)["warnings"] == [], "harmony: no autoscalers fight"

        run = act(env, ports, "conflict")
        assert run.returncode == 0, run.stderr
        assert run.stdout.startswith("local: act conflict"), run.stdout
        st = status(scaler)
        assert st["act"] == "conflict"
        web_vpa = st["web_vpa"]
        assert web_vpa and web_vpa["workload"] == "web" and web_vpa["name"] == "meme-web", web_vpa
        assert web_vpa["controlled_resources"] == ["cpu"] and web_vpa["update_mode"] == "Recreate", web_vpa
        # The warning names both stand-ins and the resource, in the JSON as on screen (below).
        warnings = cpu_conflicts(once_json(env, ports))
        assert len(warnings) == 1 and "meme-web" in warnings[0]["message"], warnings

        # Until the VPA's first eviction: utilisation over the Deployment's 10m request.
        before = []
        served = failed = 0

        def first_eviction():
            nonlocal served, failed
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{ports['WEB']}/healthz", timeout=3) as r:
                    served += r.status == 200
            except OSError:
                failed += 1
            s = status(scaler)
            request, utilisation = cpu(s)
            if request == 10 and utilisation is not None and s["web_vpa"]["evictions"] == 0:
                before.append(utilisation)
            return s["web_vpa"]["evictions"] >= 1 and s
        st = wait_until("the web VPA's first eviction", first_eviction, timeout=120)
        assert before, "no utilisation read over the 10m request before the VPA acted"
        event = st["web_vpa"]["events"][-1]["reason"]
        assert "restarted with cpu" in event and "served throughout" in event, event
        raised = st["web_vpa"]["requests"]["cpu_millicores"]
        assert raised >= 50, st["web_vpa"]

        # Every web process now runs with the raised request: the HPA divides by it.
        after = []

        def settled():
            request, utilisation = cpu(status(scaler))
            if request and request >= 50 and utilisation is not None:
                after.append(utilisation)
            return len(after) >= 3
        wait_until("utilisation over the raised request", settled, timeout=120, interval=2)
        print(f"cpu utilisation over 10m: {before}; over {raised}m: {after}")
        assert sum(after) / len(after) < sum(before) / len(before), (before, after)
        assert failed == 0, f"meme-web failed {failed} of {served + failed} health checks during the VPA's restarts"

        # The dashboard: the web VPA on screen, then H asks first and y switches to harmony.
        tmux = Tmux(demo_dir, session="acts")
        tmux.start(f"env LANG=C.UTF-8 TERM=xterm-256color NATS_URL=nats://127.0.0.1:{ports['NATS']} "
                   f"PROMETHEUS_URL=http://127.0.0.1:{ports['PROMETHEUS']} LOCAL_SCALER_URL=http://127.0.0.1:{scaler} "
                   f"{env['DEMO_BIN']}/meme-console dashboard --mode local", width=120, height=40)
        try:
            tmux.wait_for("the web VPA stand-in on screen", lambda sc: "VPA meme-web" in sc, timeout=60)
            tmux.wait_for("the conflict banner", lambda sc: "CONFLICT on cpu" in sc, timeout=30)
            tmux.keys("H")
            tmux.wait_for("the confirmation", lambda sc: "SWITCH ACT?" in sc and "act harmony" in sc, timeout=10)
            assert status(scaler)["act"] == "conflict", "the act switched before the presenter confirmed"
            tmux.keys("y")
            tmux.wait_for("the answer", lambda sc: "act harmony:" in sc, timeout=20)
            tmux.wait_for("the web VPA gone", lambda sc: "VPA meme-web" not in sc, timeout=20)
            tmux.wait_for("the banner gone", lambda sc: "CONFLICT" not in sc, timeout=20)
        finally:
            tmux.close()
        st = status(scaler)
        assert st["act"] == "harmony" and st["web_vpa"] is None, st["act"]
        assert once_json(env, ports)["warnings"] == [], "harmony clears the warning"

        run = act(env, ports, "keda-only")
        assert run.returncode == 0, run.stderr
        st = wait_until("the HPA paused", lambda: (lambda s: s if s["hpa"]["reason"].startswith("paused (act keda-only)") else None)(
            status(scaler)), timeout=30)
        assert st["act"] == "keda-only"
        assert st["vpa"] is None or st["vpa"]["next_check_in_seconds"] is None

        bad = act(env, ports, "chaos")
        assert bad.returncode != 0 and "keda-only, conflict, harmony" in bad.stderr, bad.stderr
        # The endpoint itself refuses an unknown act with 400 and keeps the current one.
        request = urllib.request.Request(f"http://127.0.0.1:{scaler}/act/chaos", method="POST")
        try:
            urllib.request.urlopen(request, timeout=5)
            raise AssertionError("POST /act/chaos was accepted")
        except urllib.error.HTTPError as e:
            assert e.code == 400 and "unknown act 'chaos'" in e.read().decode()
        assert http_get(scaler, "/act")[1] == "keda-only\n"
    finally:
        traffic.terminate()
        traffic.wait(timeout=30)
        proc.terminate()
        proc.wait(timeout=120)

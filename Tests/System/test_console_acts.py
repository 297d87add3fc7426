"""`meme-console act` in cluster mode against the fake Kubernetes API (fake_kubernetes_api.py, which
answers writes in the captured shapes of Tests/Fixtures/k8s/writes): the exact requests each act
sends, their bodies valid against the VPA CRD schema (k8s/schemas) and equal to what
`kubectl kustomize k8s/overlays/act-<name>` renders; without --allow-changes nothing is written.

Needs kubectl (kustomize) and jsonschema, as test_manifests.py; the console binary from MEME_BIN.
"""
import json
import os
import subprocess
import time

import urllib.request

import jsonschema
import pytest

from drill_support import free_port, listening
from test_manifests import CRD_SCHEMAS, K8S, crd_schema, kustomize, unknown_fields

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAKE = os.path.join(ROOT, "Tests", "ClusterReadersTests", "Resources", "fake_kubernetes_api.py")
VPA_SCHEMA = CRD_SCHEMAS[("autoscaling.k8s.io/v1", "VerticalPodAutoscaler")]
VPAS = "/apis/autoscaling.k8s.io/v1/namespaces/{}/verticalpodautoscalers"


def console_bin():
    path = os.environ.get("MEME_BIN") or subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True,
                                                        text=True).stdout.strip()
    binary = os.path.join(path, "meme-console")
    if not os.path.exists(binary):
        pytest.skip(f"meme-console is not built in {path}")
    return binary


def rendered_vpas(act):
    return {(d["metadata"]["namespace"], d["metadata"]["name"]): d
            for d in kustomize(K8S / "overlays" / f"act-{act}") if d["kind"] == "VerticalPodAutoscaler"}


def strip(o):
    """Without what the API server adds on create (uid, resourceVersion …): the object as written."""
    meta = {k: v for k, v in o["metadata"].items() if k in ("name", "namespace", "labels")}
    return {**o, "metadata": meta}


@pytest.fixture
def cluster(tmp_path):
    """The fake API with the Redis VPA the base creates (harmony, as `kubectl apply -k k8s/overlays/local` leaves it)."""
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps([rendered_vpas("harmony")["cache", "redis"]]))
    writes = tmp_path / "writes.jsonl"
    port = free_port()
    fake = subprocess.Popen(["python3", FAKE, str(port), os.path.join(ROOT, "Tests", "Fixtures"), "--seed", str(seed),
                             "--record-writes", str(writes)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 20
    while not listening(port):
        assert fake.poll() is None and time.time() < deadline, fake.stderr.read().decode() if fake.poll() is not None else "fake did not listen"
        time.sleep(0.1)
    console = console_bin()

    def act(name, *flags):
        run = subprocess.run([console, "act", name, "--mode", "cluster", "--kube-api-url", f"http://127.0.0.1:{port}", *flags],
                             capture_output=True, text=True, timeout=60, env={**os.environ, "KUBECONFIG": "/nonexistent"})
        return run

    def taken():
        """The writes recorded since the last call."""
        if not writes.exists():
            return []
        lines = [json.loads(line) for line in writes.read_text().splitlines()]
        writes.unlink()
        return lines

    def stored(namespace, name):
        """The object as the fake API server holds it after the writes (GET of the namespace's list)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{port}" + VPAS.format(namespace), timeout=5) as r:
            items = {i["metadata"]["name"]: i for i in json.load(r)["items"]}
        return strip(items[name]) if name in items else None

    try:
        yield act, taken, stored
    finally:
        fake.terminate()
        fake.wait(timeout=10)


def test_without_allow_changes_nothing_is_written(cluster):
    act, taken, _ = cluster
    for name in ["conflict", "harmony", "keda-only"]:
        run = act(name)
        assert run.returncode == 1, run
        assert "--allow-changes" in run.stderr and "meme-console-acts" in run.stderr, run.stderr
        assert "k8s/components/console-acts/rbac.yaml" in run.stderr and "Nothing was written" in run.stderr, run.stderr
        assert taken() == []
    # It says what it would do.
    assert "would create verticalpodautoscalers/meme-web in meme-generator" in act("conflict").stderr


def test_conflict_then_harmony_then_keda_only_send_exactly_the_acts_objects(cluster):
    act, taken, stored = cluster
    schema = crd_schema(*VPA_SCHEMA)

    run = act("conflict", "--allow-changes")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("cluster: act conflict"), run.stdout
    create, patch = taken()
    assert (create["method"], create["path"], create["content_type"]) == ("POST", VPAS.format("meme-generator"), "application/json")
    assert create["body"] == rendered_vpas("conflict")["meme-generator", "meme-web"]
    jsonschema.validate(create["body"], schema)
    assert not unknown_fields(create["body"], schema)
    assert (patch["method"], patch["path"], patch["content_type"]) == (
        "PATCH", VPAS.format("cache") + "/redis", "application/merge-patch+json")
    redis = stored("cache", "redis")
    jsonschema.validate(redis, schema)
    assert redis == rendered_vpas("conflict")["cache", "redis"]

    # Again: the web VPA exists now, so it is patched (to the same object), not created twice.
    assert act("conflict", "--allow-changes").returncode == 0
    web_patch, again = taken()
    assert (web_patch["method"], web_patch["path"]) == ("PATCH", VPAS.format("meme-generator") + "/meme-web")
    web = stored("meme-generator", "meme-web")
    jsonschema.validate(web, schema)
    assert web == create["body"]
    assert again["body"] == patch["body"]

    run = act("harmony", "--allow-changes")
    assert run.returncode == 0, run.stderr
    delete, patch = taken()
    assert (delete["method"], delete["path"], delete["body"]) == ("DELETE", VPAS.format("meme-generator") + "/meme-web", None)
    assert stored("meme-generator", "meme-web") is None
    assert stored("cache", "redis") == rendered_vpas("harmony")["cache", "redis"]

    run = act("keda-only", "--allow-changes")
    assert run.returncode == 0, run.stderr
    (patch,) = taken()  # no web VPA left to delete
    assert (patch["method"], patch["path"]) == ("PATCH", VPAS.format("cache") + "/redis")
    redis = stored("cache", "redis")
    jsonschema.validate(redis, schema)
    assert redis == rendered_vpas("keda-only")["cache", "redis"]


def test_unknown_act_and_unreachable_cluster(cluster):
    act, taken, _ = cluster
    run = act("chaos", "--allow-changes")
    assert run.returncode != 0 and "keda-only, conflict, harmony" in run.stderr, run.stderr
    console = console_bin()
    port = free_port()
    run = subprocess.run([console, "act", "conflict", "--mode", "cluster", "--kube-api-url", f"http://127.0.0.1:{port}",
                          "--allow-changes"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "act conflict" in run.stderr, run.stderr
    assert taken() == []

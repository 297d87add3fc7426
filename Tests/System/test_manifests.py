"""Offline checks of k8s/: rendering, schemas, the autoscaling numbers, Prometheus config,
dashboard PromQL, and that the Deployments' env/ports match the programs.

Needs: kubectl (for `kubectl kustomize`), promtool and prometheus (Debian package
`prometheus`), Python packages kubernetes-validate, jsonschema, pyyaml, pytest.
No cluster and no network: Prometheus is started on a free loopback port.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from promql_check import PromQLChecker, read_query_file

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
OVERLAYS = ["local", "cloud"]
# A version kubernetes-validate ships strict schemas for, and what kind/minikube run today.
KUBE_VERSION = "1.31.0"
# CRD schemas copied from upstream (k8s/schemas/README.md names the commits).
SCHEMAS = K8S / "schemas"
SCALEDOBJECT_FILE = K8S / "base" / "worker" / "scaledobject.yaml"
DEFAULTS_SWIFT = ROOT / "Sources" / "Shared" / "MemeKit" / "Defaults.swift"
CRD_SCHEMAS = {
    ("keda.sh/v1alpha1", "ScaledObject"): ("keda.sh_scaledobjects.yaml", "v1alpha1"),
    ("autoscaling.k8s.io/v1", "VerticalPodAutoscaler"): ("vpa-v1-crd-gen.yaml", "v1"),
}


# ---------------------------------------------------------------------------- helpers

def kustomize(path: Path) -> list[dict]:
    kubectl = shutil.which("kubectl")
    kustomize_bin = shutil.which("kustomize")
    if kubectl:
        cmd = [kubectl, "kustomize", str(path)]
    elif kustomize_bin:
        cmd = [kustomize_bin, "build", str(path)]
    else:
        pytest.fail("neither kubectl nor kustomize is installed; install kubectl "
                    "(https://kubernetes.io/docs/tasks/tools/) to render k8s/")
    run = subprocess.run(cmd, capture_output=True, text=True)
    assert run.returncode == 0, f"{' '.join(cmd)} failed:\n{run.stderr}"
    return [d for d in yaml.safe_load_all(run.stdout) if d]


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict]]:
    return {o: kustomize(K8S / "overlays" / o) for o in OVERLAYS}


def find(docs: list[dict], kind: str, name: str, namespace: str | None = None) -> dict:
    hits = [d for d in docs if d["kind"] == kind and
            (d["metadata"]["name"] == name or d["metadata"]["name"].startswith(name + "-") and kind == "ConfigMap")
            and (namespace is None or d["metadata"].get("namespace") == namespace)]
    assert len(hits) == 1, f"expected one {kind} {namespace}/{name}, found {len(hits)}"
    return hits[0]


def container(workload: dict, name: str) -> dict:
    for c in workload["spec"]["template"]["spec"]["containers"]:
        if c["name"] == name:
            return c
    raise AssertionError(f"{workload['metadata']['name']} has no container {name}")


def env_map(c: dict) -> dict[str, dict]:
    return {e["name"]: e for e in c.get("env", [])}


def meme_env_names() -> set[str]:
    """String literals of `enum MemeEnv` in MemeKit/Defaults.swift."""
    text = DEFAULTS_SWIFT.read_text()
    m = re.search(r"enum\s+MemeEnv\s*\{(.*?)\n\}", text, re.S)
    assert m, f"no `enum MemeEnv` in {DEFAULTS_SWIFT}"
    names = set(re.findall(r'static\s+let\s+\w+\s*=\s*"([A-Z0-9_]+)"', m.group(1)))
    assert names, "MemeEnv declares no names"
    return names


def unknown_fields(instance, schema, path="") -> list[str]:
    """Fields the CRD schema does not declare. The upstream CRDs set no
    additionalProperties: false (the API server prunes instead), so jsonschema alone would
    let a misspelt key such as `lagTreshold` or `minAllowd` through."""
    out: list[str] = []
    if isinstance(instance, dict) and schema.get("type") == "object":
        props = schema.get("properties")
        if props is not None and not schema.get("x-kubernetes-preserve-unknown-fields"):
            for key, value in instance.items():
                if key not in props:
                    if not schema.get("additionalProperties"):
                        out.append(f"{path}.{key}")
                else:
                    out += unknown_fields(value, props[key], f"{path}.{key}")
        elif isinstance(schema.get("additionalProperties"), dict):
            for key, value in instance.items():
                out += unknown_fields(value, schema["additionalProperties"], f"{path}.{key}")
    elif isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for i, value in enumerate(instance):
            out += unknown_fields(value, schema["items"], f"{path}[{i}]")
    return out


def crd_schema(file: str, version: str) -> dict:
    path = SCHEMAS / file
    if not path.exists():
        pytest.fail(f"CRD schema {path} missing (see k8s/schemas/README.md)")
    for doc in yaml.safe_load_all(path.read_text()):
        if doc and doc.get("kind") == "CustomResourceDefinition":
            for v in doc["spec"]["versions"]:
                if v["name"] == version and doc["spec"]["names"]["kind"] in (
                        "ScaledObject", "VerticalPodAutoscaler"):
                    return v["schema"]["openAPIV3Schema"]
    raise AssertionError(f"{file} has no version {version}")


def quantity(q) -> float:
    """Kubernetes quantity → cores or bytes."""
    s = str(q)
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    for suffix, factor in sorted(units.items(), key=lambda kv: -len(kv[0])):
        if s.endswith(suffix):
            return float(s[: -len(suffix)]) * factor
    return float(s)


# ---------------------------------------------------------------------------- rendering and schemas

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders(rendered, overlay):
    kinds = {d["kind"] for d in rendered[overlay]}
    for kind in ["Namespace", "Deployment", "StatefulSet", "Service", "HorizontalPodAutoscaler",
                 "ScaledObject", "VerticalPodAutoscaler", "ConfigMap", "ClusterRole", "Job"]:
        assert kind in kinds, f"overlay {overlay} renders no {kind}"
    names = [(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in rendered[overlay]]
    assert len(names) == len(set(names)), "duplicate objects"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_core_objects_validate_strictly(rendered, overlay):
    failures = []
    for doc in rendered[overlay]:
        if (doc["apiVersion"], doc["kind"]) in CRD_SCHEMAS:
            continue
        try:
            kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)
        except kubernetes_validate.ValidationError as e:
            where = "/".join(str(p) for p in getattr(e, "absolute_path", []))
            failures.append(f"{doc['kind']} {doc['metadata']['name']} at {where}: {getattr(e, 'message', e)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_custom_resources_validate_against_crds(rendered, overlay):
    seen = set()
    for doc in rendered[overlay]:
        key = (doc["apiVersion"], doc["kind"])
        if key not in CRD_SCHEMAS:
            continue
        seen.add(key)
        schema = crd_schema(*CRD_SCHEMAS[key])
        jsonschema.validate(doc, schema)
        assert not unknown_fields(doc, schema), f"{doc['kind']} has fields its CRD does not know: {unknown_fields(doc, schema)}"
    assert seen == set(CRD_SCHEMAS)


def test_unknown_field_check_catches_typos():
    schema = crd_schema(*CRD_SCHEMAS[("keda.sh/v1alpha1", "ScaledObject")])
    doc = yaml.safe_load(SCALEDOBJECT_FILE.read_text())
    doc["spec"]["minReplicaCont"] = 0
    assert unknown_fields(doc, schema) == [".spec.minReplicaCont"]


# ---------------------------------------------------------------------------- the numbers

def test_web_hpa_and_resources(rendered):
    docs = rendered["local"]
    web = find(docs, "Deployment", "meme-web", "meme-generator")
    res = container(web, "meme-web")["resources"]
    assert res == {"requests": {"cpu": "10m", "memory": "64Mi"}, "limits": {"cpu": "100m", "memory": "128Mi"}}
    assert "replicas" not in web["spec"], "the HPA owns meme-web's replica count"
    hpa = find(docs, "HorizontalPodAutoscaler", "meme-web", "meme-generator")
    spec = hpa["spec"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "meme-web"}
    assert (spec["minReplicas"], spec["maxReplicas"]) == (1, 5)
    targets = {m["resource"]["name"]: m["resource"]["target"] for m in spec["metrics"]}
    assert targets == {"cpu": {"type": "Utilization", "averageUtilization": 30},
                       "memory": {"type": "Utilization", "averageUtilization": 50}}
    assert spec["behavior"]["scaleUp"]["stabilizationWindowSeconds"] == 0
    assert spec["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300


def test_worker_resources_and_grace(rendered):
    worker = find(rendered["local"], "Deployment", "meme-worker", "meme-generator")
    pod = worker["spec"]["template"]
    c = container(worker, "meme-worker")
    assert c["resources"] == {"requests": {"cpu": "50m", "memory": "64Mi"},
                              "limits": {"cpu": "500m", "memory": "256Mi"}}
    # The worker drains for up to 20 s after SIGTERM.
    assert pod["spec"]["terminationGracePeriodSeconds"] > 20
    ann = pod["metadata"]["annotations"]
    assert ann["prometheus.io/scrape"] == "true" and ann["prometheus.io/path"] == "/metrics"
    assert "replicas" not in worker["spec"], "KEDA owns the worker's replica count"
    hf = env_map(c)["HF_API_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert hf["optional"] is True and hf["name"] == "meme-generator-secrets"


def test_keda_scaledobject_numbers(rendered):
    so = find(rendered["local"], "ScaledObject", "meme-worker", "meme-generator")
    spec = so["spec"]
    assert spec["scaleTargetRef"]["name"] == "meme-worker"
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (0, 10)
    # Polling 1 s, cooldown 60 s: zero only after 60 polls in a row without a meme (docs/auto-scaling.md).
    assert (spec["pollingInterval"], spec["cooldownPeriod"]) == (1, 60)
    assert spec["fallback"]["failureThreshold"] >= 1 and spec["fallback"]["replicas"] >= 1
    [trigger] = spec["triggers"]
    assert trigger["type"] == "nats-jetstream"
    assert trigger["metadata"] == {
        "natsServerMonitoringEndpoint": "nats.messaging.svc.cluster.local:8222",
        "account": "$G", "stream": "MEMES", "consumer": "meme-generator",
        "lagThreshold": "5", "activationLagThreshold": "0", "useHttps": "false"}


def test_scaledobject_file_is_one_plain_document():
    # meme-stack (its KEDA stand-in) reads this file directly.
    docs = [d for d in yaml.safe_load_all(SCALEDOBJECT_FILE.read_text()) if d]
    assert len(docs) == 1 and docs[0]["kind"] == "ScaledObject"
    meta = docs[0]["spec"]["triggers"][0]["metadata"]
    assert int(meta["lagThreshold"]) == 5 and int(meta["activationLagThreshold"]) == 0


def test_swift_defaults_agree_with_scaledobject():
    text = DEFAULTS_SWIFT.read_text()
    meta = yaml.safe_load(SCALEDOBJECT_FILE.read_text())["spec"]["triggers"][0]["metadata"]
    for swift_name, key in [("lagThreshold", "lagThreshold"), ("activationLagThreshold", "activationLagThreshold")]:
        m = re.search(rf"static let {swift_name}\s*=\s*(\d+)", text)
        if m:
            assert int(m.group(1)) == int(meta[key]), f"MemeDefaults.{swift_name} differs from {SCALEDOBJECT_FILE.name}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_second_autoscaler_on_the_worker(rendered, overlay):
    for d in rendered[overlay]:
        if d["kind"] == "HorizontalPodAutoscaler":
            assert d["spec"]["scaleTargetRef"]["name"] != "meme-worker", \
                "KEDA's admission webhook rejects a ScaledObject whose target already has an HPA"
        if d["kind"] == "VerticalPodAutoscaler":
            assert d["spec"]["targetRef"]["name"] != "meme-worker"


def test_redis_vpa(rendered):
    docs = rendered["local"]
    vpa = find(docs, "VerticalPodAutoscaler", "redis", "cache")
    spec = vpa["spec"]
    assert spec["targetRef"] == {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "redis"}
    assert spec["updatePolicy"] == {"updateMode": "Recreate", "minReplicas": 1}
    policy = next(p for p in spec["resourcePolicy"]["containerPolicies"] if p["containerName"] == "redis")
    assert sorted(policy["controlledResources"]) == ["cpu", "memory"]
    assert policy["minAllowed"] == {"cpu": "100m", "memory": "512Mi"}
    assert policy["maxAllowed"] == {"cpu": "1000m", "memory": "1Gi"}
    sts = find(docs, "StatefulSet", "redis", "cache")
    res = container(sts, "redis")["resources"]
    # Starting requests inside the VPA's bounds; limits at least the maximum it may set.
    for r in ("cpu", "memory"):
        assert quantity(policy["minAllowed"][r]) <= quantity(res["requests"][r]) <= quantity(policy["maxAllowed"][r])
        assert quantity(res["limits"][r]) >= quantity(policy["maxAllowed"][r])
    assert sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    assert any(m["name"] == "data" for m in container(sts, "redis")["volumeMounts"])


def test_nats_config(rendered):
    docs = rendered["local"]
    conf = find(docs, "ConfigMap", "nats-config", "messaging")["data"]["nats.conf"]
    assert re.search(r"^\s*http:\s*0\.0\.0\.0:8222\s*$", conf, re.M)
    assert re.search(r"^\s*max_payload:\s*8MB\s*$", conf, re.M)
    assert re.search(r"jetstream\s*\{[^}]*store_dir:\s*/data", conf, re.S)
    assert "websocket" not in conf, "no public WebSocket on NATS: browsers go through meme-web"
    sts = find(docs, "StatefulSet", "nats", "messaging")
    nats = container(sts, "nats")
    assert {p["containerPort"] for p in nats["ports"]} == {4222, 8222}
    assert any(m["mountPath"] == "/data" and m["name"] == "data" for m in nats["volumeMounts"])
    assert sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    svc = find(docs, "Service", "nats", "messaging")
    assert {p["port"] for p in svc["spec"]["ports"]} >= {4222, 8222}


@pytest.mark.skipif(not shutil.which("nats-server"), reason="nats-server not installed")
def test_nats_config_parses_with_nats_server(rendered, tmp_path):
    conf = find(rendered["local"], "ConfigMap", "nats-config", "messaging")["data"]["nats.conf"]
    (tmp_path / "nats.conf").write_text(conf.replace("/data", str(tmp_path / "js")))
    run = subprocess.run(["nats-server", "-t", "-c", str(tmp_path / "nats.conf")], capture_output=True,
                         text=True, env={**os.environ, "POD_NAME": "nats-0"})
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server not installed")
def test_redis_args_start_a_real_redis(rendered, tmp_path):
    """The StatefulSet's arguments, given to a real redis-server on a loopback port."""
    import socket
    import time
    args = container(find(rendered["local"], "StatefulSet", "redis", "cache"), "redis")["args"]
    args = [str(tmp_path) if a == "/data" else a for a in args]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(["redis-server", *args, "--port", str(port), "--bind", "127.0.0.1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            run = subprocess.run(["redis-cli", "-p", str(port), "config", "get", "maxmemory-policy"],
                                 capture_output=True, text=True)
            if run.returncode == 0 and "allkeys-lru" in run.stdout:
                break
            assert proc.poll() is None, f"redis-server rejected the arguments: {proc.stdout.read()}"
            assert time.monotonic() < deadline, run.stdout + run.stderr
            time.sleep(0.1)
        save = subprocess.run(["redis-cli", "-p", str(port), "config", "get", "save"],
                              capture_output=True, text=True).stdout.split()
        assert save[-2:] == ["300", "10"], save
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_names_and_namespaces(rendered):
    docs = rendered["local"]
    namespaces = {d["metadata"]["name"] for d in docs if d["kind"] == "Namespace"}
    assert namespaces == {"meme-generator", "cache", "messaging", "monitoring"}
    find(docs, "Deployment", "meme-worker", "meme-generator")
    find(docs, "Deployment", "meme-web", "meme-generator")
    find(docs, "StatefulSet", "redis", "cache")
    find(docs, "StatefulSet", "nats", "messaging")
    text = yaml.safe_dump_all(docs)
    for old in ("meme-backend", "meme-generator-frontend", "redis-master", "nats-websocket"):
        assert old not in text, f"the original's name {old} is still referenced"


# ---------------------------------------------------------------------------- security and RBAC

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_are_locked_down(rendered, overlay):
    problems = []
    for d in rendered[overlay]:
        if d["kind"] not in ("Deployment", "StatefulSet", "Job"):
            continue
        pod = d["spec"]["template"]["spec"]
        pod_sc = pod.get("securityContext", {})
        for c in pod["containers"] + pod.get("initContainers", []):
            sc = c.get("securityContext", {})
            who = f"{d['kind']} {d['metadata']['name']}/{c['name']}"
            if not (sc.get("runAsNonRoot") or pod_sc.get("runAsNonRoot")):
                problems.append(f"{who}: runAsNonRoot not set")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{who}: allowPrivilegeEscalation not false")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{who}: root filesystem writable")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                problems.append(f"{who}: capabilities not dropped")
            if not c.get("resources", {}).get("limits"):
                problems.append(f"{who}: no resource limits")
    assert not problems, "\n".join(problems)


def test_no_secret_values_in_manifests(rendered):
    for d in rendered["cloud"]:
        assert d["kind"] != "Secret", "Secrets are created by k8s/demo-k8s.sh from the environment, not kept in Git"
        for c in d.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
            for e in c.get("env", []):
                if re.search(r"TOKEN|PASSWORD|SECRET", e["name"]):
                    assert "value" not in e, f"{e['name']} must come from a Secret"


def test_console_rbac_is_read_only(rendered):
    docs = rendered["local"]
    role = find(docs, "ClusterRole", "meme-console-read")
    granted = set()
    for rule in role["rules"]:
        assert set(rule["verbs"]) <= {"get", "list", "watch"}, f"write verb in {rule}"
        for group in rule["apiGroups"]:
            for res in rule["resources"]:
                granted.add((group, res))
    assert granted == {("apps", "deployments"), ("apps", "statefulsets"), ("", "pods"), ("", "events"),
                       ("events.k8s.io", "events"), ("autoscaling", "horizontalpodautoscalers"),
                       ("keda.sh", "scaledobjects"), ("autoscaling.k8s.io", "verticalpodautoscalers")}
    find(docs, "ServiceAccount", "meme-console", "meme-generator")
    bound = {d["metadata"]["namespace"] for d in docs if d["kind"] == "RoleBinding"
             and d["roleRef"]["name"] == "meme-console-read"}
    assert bound == {"meme-generator", "cache", "messaging"}


# ---------------------------------------------------------------------------- env and ports vs the programs

def _workload_env(rendered) -> dict[str, set[str]]:
    docs = rendered["local"]
    return {name: set(env_map(container(find(docs, "Deployment", name, "meme-generator"), name)))
            for name in ("meme-worker", "meme-web")}


def test_env_names_are_memekit_names(rendered):
    known = meme_env_names()
    for name, env in _workload_env(rendered).items():
        assert env <= known, f"{name} sets env vars MemeEnv does not declare: {sorted(env - known)}"
    worker = _workload_env(rendered)["meme-worker"]
    for required in ("NATS_URL", "NATS_STREAM", "NATS_CONSUMER", "REDIS_URL", "METRICS_ADDR", "HF_API_TOKEN"):
        assert required in worker


def test_ports_agree(rendered):
    docs = rendered["local"]
    worker = find(docs, "Deployment", "meme-worker", "meme-generator")
    wc = container(worker, "meme-worker")
    port = int(env_map(wc)["METRICS_ADDR"]["value"].rsplit(":", 1)[1])
    assert {p["name"]: p["containerPort"] for p in wc["ports"]} == {"metrics": port}
    assert worker["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] == str(port)
    web = find(docs, "Deployment", "meme-web", "meme-generator")
    c = container(web, "meme-web")
    port = int(env_map(c)["PORT"]["value"])
    # /metrics on its own port (WEB_METRICS_ADDR), not the audience's.
    metrics = int(env_map(c)["WEB_METRICS_ADDR"]["value"].rsplit(":", 1)[1])
    assert metrics != port
    assert {p["name"]: p["containerPort"] for p in c["ports"]} == {"http": port, "metrics": metrics}
    assert web["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] == str(metrics)
    for d, cont in ((worker, wc), (web, c)):
        assert cont["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert cont["readinessProbe"]["httpGet"]["path"] == "/readyz"
        named = {p["name"] for p in cont["ports"]}
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            assert cont[probe]["httpGet"]["port"] in named


@pytest.mark.parametrize("program,args", [("meme-worker", ["serve", "--help"]), ("meme-web", ["--help"])])
def test_env_names_appear_in_help(rendered, program, args):
    binary = Path(os.environ.get("MEME_BIN", ROOT / ".build" / "debug")) / program
    assert binary.exists(), f"{binary} not built (set MEME_BIN)"
    run = subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=30)
    # argument-parser wraps help text at the terminal width: compare with whitespace folded.
    text = " ".join((run.stdout + run.stderr).split())
    missing = [n for n in sorted(_workload_env(rendered)[program]) if f"env: {n}" not in text]
    assert not missing, f"{program} --help does not mention: {missing}"


# ---------------------------------------------------------------------------- Prometheus and Grafana

def _prometheus_config(rendered) -> str:
    return find(rendered["local"], "ConfigMap", "prometheus-config", "monitoring")["data"]["prometheus.yml"]


def test_prometheus_scrapes_every_source(rendered):
    config = yaml.safe_load(_prometheus_config(rendered))
    jobs = {j["job_name"] for j in config["scrape_configs"]}
    assert {"meme-web", "meme-worker", "redis", "nats", "kube-state-metrics", "kubelet-cadvisor", "keda"} <= jobs


def test_scrape_jobs_find_the_pods(rendered):
    """Each pod job's label selector matches a workload in its namespace, and that pod
    carries prometheus.io/scrape and exactly one container port whose name the relabel
    rules keep ("metrics": meme-web's "http" port is the audience's and has no /metrics),
    whose number is the annotated port."""
    config = yaml.safe_load(_prometheus_config(rendered))
    workloads = [d for d in rendered["local"] if d["kind"] in ("Deployment", "StatefulSet")]
    for job in config["scrape_configs"]:
        if job["job_name"] not in ("meme-web", "meme-worker", "redis", "nats"):
            continue
        [sd] = job["kubernetes_sd_configs"]
        [namespace] = sd["namespaces"]["names"]
        key, value = sd["selectors"][0]["label"].split("=")
        [target] = [w for w in workloads if w["metadata"].get("namespace") == namespace
                    and w["spec"]["template"]["metadata"]["labels"].get(key) == value]
        tmpl = target["spec"]["template"]
        ann = tmpl["metadata"]["annotations"]
        assert ann["prometheus.io/scrape"] == "true"
        ports = {p["name"]: p["containerPort"] for c in tmpl["spec"]["containers"] for p in c.get("ports", [])}
        [keep] = [r["regex"] for r in job["relabel_configs"]
                  if r.get("source_labels") == ["__meta_kubernetes_pod_container_port_name"] and r.get("action") == "keep"]
        scraped = {n: v for n, v in ports.items() if re.fullmatch(keep, n)}
        assert list(scraped.values()) == [int(ann["prometheus.io/port"])], (job["job_name"], ports)


def test_promtool_check_config(rendered, tmp_path):
    if not shutil.which("promtool"):
        pytest.fail("promtool not installed (Debian package prometheus)")
    text = _prometheus_config(rendered)
    path = tmp_path / "prometheus.yml"
    path.write_text(text)
    run = subprocess.run(["promtool", "check", "config", "--syntax-only", str(path)], capture_output=True, text=True)
    out = run.stdout + run.stderr
    if run.returncode != 0 and "field kubernetes_sd_configs not found" in out:
        # Debian builds Prometheus without Kubernetes service discovery. Check everything
        # else with promtool and the Kubernetes SD blocks against their documented shape.
        config = yaml.safe_load(text)
        for job in config["scrape_configs"]:
            for sd in job.pop("kubernetes_sd_configs", []):
                assert set(sd) <= {"role", "namespaces", "selectors", "api_server", "kubeconfig_file",
                                   "attach_metadata"}, sd
                assert sd["role"] in {"pod", "node", "service", "endpoints", "endpointslice", "ingress"}
                for sel in sd.get("selectors", []):
                    assert set(sel) <= {"role", "label", "field"} and sel["role"] == sd["role"]
                job.setdefault("static_configs", [{"targets": ["127.0.0.1:1"]}])
        path.write_text(yaml.safe_dump(config))
        run = subprocess.run(["promtool", "check", "config", "--syntax-only", str(path)], capture_output=True, text=True)
        out = run.stdout + run.stderr
    assert run.returncode == 0, out


def _dashboard() -> dict:
    return json.loads((K8S / "monitoring" / "dashboards" / "meme-generator.json").read_text())


def _dashboard_exprs() -> list[str]:
    return [t["expr"] for p in _dashboard()["panels"] for t in p.get("targets", [])]


def test_dashboard_has_the_original_panels():
    dash = _dashboard()
    titles = {p["title"] for p in dash["panels"]}
    for title in ["Worker Pods (KEDA)", "Web Pods (HPA)", "NATS JetStream Messages (MEMES Stream)",
                  "KEDA Scaler Metric (lag vs lagThreshold)", "Redis CPU & Memory (% of limit, VPA)",
                  "Web CPU & Memory (% of request, HPA targets)", "Worker Throughput", "Worker Latency",
                  "Web Request Rate"]:
        assert title in titles
    for p in dash["panels"]:
        if p["type"] != "row":
            assert p["datasource"]["uid"] == "prometheus"
            assert p["targets"], p["title"]
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))
    exprs = " ".join(_dashboard_exprs())
    for metric in ["kube_deployment_status_replicas", "jetstream_consumer_num_pending",
                   "keda_scaler_metrics_value", "kube_pod_container_resource_limits",
                   "meme_generator_success_total", "meme_generator_processing_duration_seconds_bucket",
                   "meme_web_requests_total", "meme_web_request_duration_seconds_bucket"]:
        assert metric in exprs


@pytest.fixture(scope="module")
def promql():
    with PromQLChecker() as checker:
        yield checker


def test_dashboard_promql_parses(promql):
    exprs = _dashboard_exprs()
    assert len(exprs) > 20
    bad = promql.errors(exprs)
    assert not bad, "\n".join(f"{e}\n  {err}" for e, err in bad.items())


def test_console_queries_parse(promql):
    exprs = read_query_file(K8S / "monitoring" / "console-queries.txt")
    assert exprs
    bad = promql.errors(exprs)
    assert not bad, "\n".join(f"{e}\n  {err}" for e, err in bad.items())


def test_promql_checker_rejects_bad_expressions(promql):
    assert promql.error("sum(rate(x[1m])") is not None
    assert promql.error("sum(rate(meme_generator_success_total[1m]))") is None


# ---------------------------------------------------------------------------- scripts and images

@pytest.mark.parametrize("script", ["k8s/demo-k8s.sh", "k8s/operators/install.sh"])
def test_scripts_are_valid_bash(script):
    path = ROOT / script
    assert path.exists() and os.access(path, os.X_OK), f"{script} missing or not executable"
    run = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    if shutil.which("shellcheck"):
        run = subprocess.run(["shellcheck", "-S", "warning", str(path)], capture_output=True, text=True)
        assert run.returncode == 0, run.stdout


def test_operator_versions_are_pinned():
    text = (K8S / "operators" / "install.sh").read_text()
    for var in ("METRICS_SERVER_CHART_VERSION", "KEDA_CHART_VERSION", "VPA_VERSION"):
        m = re.search(rf'^{var}="\$\{{{var}:-([0-9][0-9.]*)\}}"', text, re.M)
        assert m, f"{var} is not pinned to a version in install.sh"


def test_dockerfile_targets():
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)\s+AS\s+(\S+)", text, re.M | re.I)
    names = {name for _, name in stages}
    assert {"meme-worker", "meme-web", "meme-console"} <= names
    assert any(img.startswith("swift:6") and "bookworm" in img for img, _ in stages)
    assert re.search(r"^USER\s+10001", text, re.M), "runtime images must run as the non-root user 10001"


def test_demo_k8s_explains_a_missing_context(tmp_path):
    env = {**os.environ, "KUBECONFIG": str(tmp_path / "none")}
    run = subprocess.run([str(K8S / "demo-k8s.sh"), "up"], capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode != 0 and "no current context" in run.stderr, run.stderr


def test_demo_k8s_explains_a_missing_kubectl(tmp_path):
    # A PATH with bash and coreutils but no kubectl.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("bash", "dirname", "sed", "cat", "head", "mkdir"):
        if shutil.which(tool):
            (bindir / tool).symlink_to(shutil.which(tool))
    run = subprocess.run([shutil.which("bash"), str(K8S / "demo-k8s.sh"), "status"], capture_output=True,
                         text=True, env={"PATH": str(bindir), "HOME": str(tmp_path)}, timeout=60)
    assert run.returncode != 0 and "kubectl is not installed" in run.stderr, run.stderr


# ---------------------------------------------------------------------------- the talk's acts (k8s/components/act-*)

ACTS = ["keda-only", "conflict", "harmony"]


@pytest.fixture(scope="session")
def acts() -> dict[str, list[dict]]:
    return {a: kustomize(K8S / "overlays" / f"act-{a}") for a in ACTS}


def vpas(docs: list[dict]) -> dict[tuple[str, str], dict]:
    return {(d["metadata"]["namespace"], d["metadata"]["name"]): d for d in docs if d["kind"] == "VerticalPodAutoscaler"}


@pytest.mark.parametrize("act", ACTS)
def test_act_overlay_is_the_local_overlay_plus_its_vpas(rendered, acts, act):
    """An act changes VerticalPodAutoscalers only; everything else renders as the local overlay."""
    def rest(docs):
        return sorted(json.dumps(d, sort_keys=True) for d in docs if d["kind"] != "VerticalPodAutoscaler")
    assert rest(acts[act]) == rest(rendered["local"])
    schema = crd_schema(*CRD_SCHEMAS[("autoscaling.k8s.io/v1", "VerticalPodAutoscaler")])
    for doc in vpas(acts[act]).values():
        jsonschema.validate(doc, schema)
        assert not unknown_fields(doc, schema), unknown_fields(doc, schema)


def test_act_vpas(rendered, acts):
    base = vpas(rendered["local"])
    assert set(base) == {("cache", "redis")}
    # harmony is the base; keda-only only stops the Redis VPA from evicting.
    assert vpas(acts["harmony"]) == base
    keda = vpas(acts["keda-only"])
    assert set(keda) == {("cache", "redis")}
    assert keda["cache", "redis"]["spec"]["updatePolicy"]["updateMode"] == "Off"
    assert {**keda["cache", "redis"]["spec"], "updatePolicy": None} == {**base["cache", "redis"]["spec"], "updatePolicy": None}
    # conflict: a VPA on meme-web acting on the CPU the HPA scales on, in a mode that evicts.
    conflict = vpas(acts["conflict"])
    assert conflict["cache", "redis"] == base["cache", "redis"]
    web = conflict["meme-generator", "meme-web"]
    assert web["spec"]["targetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "meme-web"}
    assert web["spec"]["updatePolicy"]["updateMode"] == "Recreate"
    (policy,) = web["spec"]["resourcePolicy"]["containerPolicies"]
    assert policy["containerName"] == "meme-web" and policy["controlledResources"] == ["cpu"]
    hpa = find(rendered["local"], "HorizontalPodAutoscaler", "meme-web")
    assert "cpu" in [m["resource"]["name"] for m in hpa["spec"]["metrics"]], "the conflict needs the HPA on CPU"
    deployment = find(rendered["local"], "Deployment", "meme-web")
    request = quantity(container(deployment, "meme-web")["resources"]["requests"]["cpu"])
    limit = quantity(container(deployment, "meme-web")["resources"]["limits"]["cpu"])
    # minAllowed above the request: the VPA's first move raises it (the HPA's utilisation falls); never past the limit.
    assert request < quantity(policy["minAllowed"]["cpu"]) <= quantity(policy["maxAllowed"]["cpu"]) <= limit


def test_console_acts_role_grants_exactly_the_act_writes():
    docs = [d for d in yaml.safe_load_all((K8S / "components" / "console-acts" / "rbac.yaml").read_text()) if d]
    for doc in docs:
        kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)
    roles = {(d["metadata"]["namespace"], d["metadata"]["name"]): d for d in docs if d["kind"] == "Role"}
    grants = {(ns, tuple(r.get("resourceNames", [])), v) for (ns, _), role in roles.items() for r in role["rules"]
              for v in r["verbs"] if r["apiGroups"] == ["autoscaling.k8s.io"] and r["resources"] == ["verticalpodautoscalers"]}
    assert all(r["apiGroups"] == ["autoscaling.k8s.io"] and r["resources"] == ["verticalpodautoscalers"]
               for role in roles.values() for r in role["rules"])
    assert grants == {("meme-generator", (), "create"), ("meme-generator", ("meme-web",), "patch"),
                      ("meme-generator", ("meme-web",), "delete"), ("cache", ("redis",), "patch")}
    bindings = [d for d in docs if d["kind"] == "RoleBinding"]
    assert {(b["metadata"]["namespace"], b["roleRef"]["name"]) for b in bindings} == {(ns, "meme-console-acts") for ns, _ in roles}
    assert all(b["subjects"] == [{"kind": "ServiceAccount", "name": "meme-console", "namespace": "meme-generator"}] for b in bindings)

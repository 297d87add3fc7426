#!/usr/bin/env python3
"""A fake Kubernetes API server that replays real captures from Tests/Fixtures (see its SOURCES.md).

usage: fake_kubernetes_api.py PORT FIXTURES_DIR [--token T] [--missing-group G]... [--seed FILE] [--record-writes FILE]

GET of namespaced lists, and the writes meme-console's acts make (POST of a new object, PATCH with
application/merge-patch+json, DELETE) on an in-memory store, answered in the shapes of the real
captures in k8s/writes/ (SOURCES.md): 201 with the object plus the server's metadata, 200 with the
patched object, 200 with a Status Success. What no capture shows (409 AlreadyExists, 404 of a
missing object, other patch types) gets HTTP 501 and a plain-text reason, so a test notices.
--seed FILE: a JSON list of objects stored at start (as `kubectl apply -k` would have created them).
--record-writes FILE: every write appended as one JSON line {method, path, content_type, body}.
 Bodies are the captured bytes where a capture is itself the list
(the kube-system DeploymentList); single captured objects are wrapped in the List envelope of that
real DeploymentList ({"kind": "<Kind>List", "apiVersion", "metadata": {"resourceVersion"}, "items"}),
and the VPA status-only captures in {"apiVersion", "kind", "metadata", "status"} as SOURCES.md says.
Namespace conflict-act holds the talk's conflict act built from those captures (see conflict_act).
Error answers replay the captured Status bodies byte for byte:
  - no or wrong bearer token (when --token is given): 403 Forbidden for system:anonymous (krr#360);
  - any path of a --missing-group API group, or an unknown path: 404 NotFound (kube-monkey#70).
"""
import copy
import datetime
import itertools
import json
import os
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
FIXTURES = sys.argv[2]
TOKEN = None
MISSING = set()
SEED = None
RECORD = None
args = sys.argv[3:]
while args:
    flag, value, args = args[0], args[1], args[2:]
    if flag == "--token":
        TOKEN = value
    elif flag == "--missing-group":
        MISSING.add(value)
    elif flag == "--seed":
        SEED = value
    elif flag == "--record-writes":
        RECORD = value


def raw(path):
    with open(os.path.join(FIXTURES, path), "rb") as f:
        return f.read()


def obj(path):
    return json.loads(raw(path))


FORBIDDEN = raw("k8s/status/status-403-forbidden-list-deployments-anonymous.krr-360.json")
NOT_FOUND = raw("k8s/status/status-404-path-notfound.curl-pretty.kube-monkey-70.json")


def vpa(name, namespace, status_file):
    return {"apiVersion": "autoscaling.k8s.io/v1", "kind": "VerticalPodAutoscaler",
            "metadata": {"name": name, "namespace": namespace}, "status": obj(status_file)}


# (group, version, plural) -> (list kind, [objects]) ; lists captured whole are served as bytes.
CAPTURED_LISTS = {
    ("apps", "v1", "deployments", "kube-system"): "k8s/deployments/deploymentlist.kube-system.kind-v1.36.k8s-openapi.json",
}
OBJECTS = {
    ("apps", "v1", "deployments"): ("DeploymentList", [
        obj("k8s/deployments/deployment.gke.k9s-testdata.json"),
        obj("k8s/deployments/deployment.just-created-empty-status.kind-v1.36.k8s-openapi.json"),
    ]),
    ("apps", "v1", "statefulsets"): ("StatefulSetList", []),
    ("autoscaling", "v2", "horizontalpodautoscalers"): ("HorizontalPodAutoscalerList", [
        obj("k8s/keda/keda-hpa-prometheus-external-openshift.json"),
    ]),
    ("keda.sh", "v1alpha1", "scaledobjects"): ("ScaledObjectList", [
        obj("k8s/keda/scaledobject-prometheus-openshift.json"),
        obj("k8s/keda/scaledobject-cron-not-active.argo-cd-testdata.json"),
        obj("k8s/keda/scaledobject-fallback-active.argo-cd-testdata.json"),
    ]),
    ("autoscaling.k8s.io", "v1", "verticalpodautoscalers"): ("VerticalPodAutoscalerList", [
        vpa("hamster-vpa", "vpa-adventure", "k8s/vpa/vpa-status.hamster.openshift.vpa-adventure-uc1a.json"),
        vpa("hamster-vpa-limited", "vpa-adventure", "k8s/vpa/vpa-status.hamster-after-limitrange.openshift.vpa-adventure-uc1b.json"),
        vpa("stress-vpa", "vpa-adventure", "k8s/vpa/vpa-status.stress.openshift.vpa-adventure-uc2.json"),
    ]),
    ("", "v1", "events"): ("EventList", [obj("k8s/events/event-v1-pulled.gke.k9s-testdata.json")]),
}


# The write path: objects by (group, version, plural, namespace, name).
STORE = {}
LOCK = threading.Lock()
VERSIONS = itertools.count(1000)
CREATED_SHAPE = obj("k8s/writes/cr-create-201.foobar.kind-v1.36.k8s-openapi.json")
DELETED_SHAPE = obj("k8s/writes/cr-delete-200-status.foobar.kind-v1.36.k8s-openapi.json")


def fields_v1(value):
    """managedFields' fieldsV1 as the captures show it: "." on every object, leaves and lists as {}."""
    if not isinstance(value, dict):
        return {}
    out = {".": {}}
    out.update({"f:" + k: fields_v1(v) for k, v in value.items()})
    return out


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def admit(body, namespace, manager="unknown"):
    """The object as the API server stores it after a create: the capture's metadata keys filled in."""
    o = copy.deepcopy(body)
    meta = o.setdefault("metadata", {})
    captured = CREATED_SHAPE["metadata"]
    fields = {k: fields_v1(v) for k, v in o.items() if k not in ("apiVersion", "kind", "metadata", "status")}
    fields = {"f:" + k: v for k, v in fields.items()}
    if meta.get("labels"):
        fields["f:metadata"] = {"f:labels": fields_v1(meta["labels"])}
    managed = dict(captured["managedFields"][0], apiVersion=o.get("apiVersion"), fieldsV1=fields, manager=manager, time=now())
    meta.update(namespace=namespace, creationTimestamp=now(), generation=1, resourceVersion=str(next(VERSIONS)),
                uid=str(uuid.uuid4()), managedFields=[managed])
    assert set(captured) <= set(meta), "the created shape lost a key of the capture"
    return o


def merge_patch(target, patch):
    """RFC 7386: objects merge, null deletes, everything else (lists included) replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def record(method, path, content_type, body):
    if RECORD:
        with open(RECORD, "a") as f:
            f.write(json.dumps({"method": method, "path": path, "content_type": content_type, "body": body}) + "\n")


if SEED:
    with open(SEED) as f:
        for item in json.load(f):
            g, _, v = item["apiVersion"].rpartition("/")
            plural = item["kind"].lower() + "s"
            STORE[(g, v, plural, item["metadata"]["namespace"], item["metadata"]["name"])] = admit(item, item["metadata"]["namespace"])


def conflict_act():
    """Namespace conflict-act: the talk's conflict act from the same captures, edited as SOURCES.md's
    shapes allow (names, namespace, targets, spec): meme-web's HPA on cpu 30 % / memory 50 % (the
    KEDA HPA capture's shape with k8s/base/web/hpa.yaml's metrics) and a VPA in Auto on meme-web
    (the hamster status); the ScaledObject capture scaling meme-worker, its keda-hpa, and a second
    HPA on meme-worker."""
    def hpa(name, target, metrics, owner=None):
        o = obj("k8s/keda/keda-hpa-prometheus-external-openshift.json")
        o["metadata"] = {"name": name, "namespace": "conflict-act"}
        if owner:
            o["metadata"]["ownerReferences"] = [{"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "name": owner}]
        o["spec"]["scaleTargetRef"] = {"apiVersion": "apps/v1", "kind": "Deployment", "name": target}
        if metrics is not None:
            o["spec"]["metrics"] = [{"type": "Resource", "resource": {"name": r, "target": {"type": "Utilization", "averageUtilization": p}}}
                                    for r, p in metrics]
        return o
    so = obj("k8s/keda/scaledobject-prometheus-openshift.json")
    so["metadata"] = {"name": "meme-worker", "namespace": "conflict-act"}
    so["spec"]["scaleTargetRef"] = {"name": "meme-worker"}
    v = vpa("meme-web", "conflict-act", "k8s/vpa/vpa-status.hamster.openshift.vpa-adventure-uc1a.json")
    v["spec"] = {"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "meme-web"}, "updatePolicy": {"updateMode": "Auto"}}
    return {
        "horizontalpodautoscalers": [hpa("meme-web", "meme-web", [("cpu", 30), ("memory", 50)]),
                                     hpa("keda-hpa-meme-worker", "meme-worker", None, owner="meme-worker"),
                                     hpa("meme-worker", "meme-worker", [("cpu", 50)])],
        "scaledobjects": [so],
        "verticalpodautoscalers": [v],
    }


for plural, items in conflict_act().items():
    for key, (_, objects) in OBJECTS.items():
        if key[2] == plural:
            objects.extend(items)


def route(path):
    """-> (group, version, namespace, plural) or None"""
    parts = path.split("?")[0].strip("/").split("/")
    if len(parts) == 5 and parts[0] == "api" and parts[2] == "namespaces":
        return "", parts[1], parts[3], parts[4]
    if len(parts) == 6 and parts[0] == "apis" and parts[3] == "namespaces":
        return parts[1], parts[2], parts[4], parts[5]
    return None


def object_route(path):
    """-> (group, version, namespace, plural, name) of one namespaced object, or None"""
    parts = path.split("?")[0].strip("/").split("/")
    if len(parts) == 6 and parts[0] == "api" and parts[2] == "namespaces":
        return "", parts[1], parts[3], parts[4], parts[5]
    if len(parts) == 7 and parts[0] == "apis" and parts[3] == "namespaces":
        return parts[1], parts[2], parts[4], parts[5], parts[6]
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.command, self.path))

    def send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if TOKEN is not None and self.headers.get("Authorization") != "Bearer " + TOKEN:
            return self.send(403, FORBIDDEN)
        r = route(self.path)
        if r is None:
            return self.send(404, NOT_FOUND)
        group, version, namespace, plural = r
        if group in MISSING:
            return self.send(404, NOT_FOUND)
        captured = CAPTURED_LISTS.get((group, version, plural, namespace))
        if captured:
            return self.send(200, raw(captured))
        entry = OBJECTS.get((group, version, plural))
        if entry is None:
            return self.send(404, NOT_FOUND)
        kind, objects = entry
        items = [o for o in objects if o.get("metadata", {}).get("namespace") == namespace]
        with LOCK:
            items += [o for (g, v, p, ns, _), o in sorted(STORE.items()) if (g, v, p, ns) == (group, version, plural, namespace)]
        body = {"kind": kind, "apiVersion": (group + "/" + version) if group else version,
                "metadata": {"resourceVersion": "1"}, "items": items}
        self.send(200, json.dumps(body).encode())


    def refuse(self, why):
        """What no capture shows: the fake says so instead of inventing an answer."""
        body = ("fake_kubernetes_api: not captured: " + why + "\n").encode()
        self.send_response(501)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"null")

    def authorised(self):
        if TOKEN is not None and self.headers.get("Authorization") != "Bearer " + TOKEN:
            self.send(403, FORBIDDEN)
            return False
        return True

    def do_POST(self):
        if not self.authorised():
            return
        r = route(self.path)
        if r is None:
            return self.send(404, NOT_FOUND)
        group, version, namespace, plural = r
        body = self.body()
        record("POST", self.path, self.headers.get("Content-Type"), body)
        name = (body.get("metadata") or {}).get("name")
        with LOCK:
            key = (group, version, plural, namespace, name)
            if key in STORE:
                return self.refuse(f"POST of {plural}/{name}, which exists (409 AlreadyExists)")
            STORE[key] = admit(body, namespace)
            self.send(201, json.dumps(STORE[key]).encode() + b"\n")

    def object_key(self):
        """(group, version, plural, namespace, name) of the object a PATCH or DELETE names; None when answered already."""
        if not self.authorised():
            return None
        r = object_route(self.path)
        if r is None:
            self.send(404, NOT_FOUND)
            return None
        group, version, namespace, plural, name = r
        return group, version, plural, namespace, name

    def do_PATCH(self):
        key = self.object_key()
        if key is None:
            return
        plural, name = key[2], key[4]
        content_type = self.headers.get("Content-Type")
        body = self.body()
        record("PATCH", self.path, content_type, body)
        if content_type != "application/merge-patch+json":
            return self.refuse(f"PATCH with {content_type}")
        with LOCK:
            if key not in STORE:
                return self.refuse(f"PATCH of {plural}/{name}, which does not exist (404 NotFound)")
            before = STORE[key]
            after = merge_patch(before, body)
            after["metadata"]["resourceVersion"] = str(next(VERSIONS))
            if after.get("spec") != before.get("spec"):
                after["metadata"]["generation"] = before["metadata"]["generation"] + 1
            STORE[key] = after
            self.send(200, json.dumps(after).encode())

    def do_DELETE(self):
        key = self.object_key()
        if key is None:
            return
        group, plural, name = key[0], key[2], key[4]
        record("DELETE", self.path, self.headers.get("Content-Type"), None)
        with LOCK:
            gone = STORE.pop(key, None)
        if gone is None:
            return self.refuse(f"DELETE of {plural}/{name}, which does not exist (404 NotFound)")
        status = dict(DELETED_SHAPE, details=dict(DELETED_SHAPE["details"], name=name, group=group, kind=plural,
                                                  uid=gone["metadata"]["uid"]))
        self.send(200, json.dumps(status).encode())


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = True
print("listening", PORT, flush=True)
server.serve_forever()

#!/usr/bin/env python3
"""A fake Kubernetes API server that replays real captures from Tests/Fixtures (see its SOURCES.md).

usage: fake_kubernetes_api.py PORT FIXTURES_DIR [--token T] [--missing-group G]...

Only GET of namespaced lists. Bodies are the captured bytes where a capture is itself the list
(the kube-system DeploymentList); single captured objects are wrapped in the List envelope of that
real DeploymentList ({"kind": "<Kind>List", "apiVersion", "metadata": {"resourceVersion"}, "items"}),
and the VPA status-only captures in {"apiVersion", "kind", "metadata", "status"} as SOURCES.md says.
Namespace conflict-act holds the talk's conflict act built from those captures (see conflict_act).
Error answers replay the captured Status bodies byte for byte:
  - no or wrong bearer token (when --token is given): 403 Forbidden for system:anonymous (krr#360);
  - any path of a --missing-group API group, or an unknown path: 404 NotFound (kube-monkey#70).
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
FIXTURES = sys.argv[2]
TOKEN = None
MISSING = set()
args = sys.argv[3:]
while args:
    flag, value, args = args[0], args[1], args[2:]
    if flag == "--token":
        TOKEN = value
    elif flag == "--missing-group":
        MISSING.add(value)


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
        body = {"kind": kind, "apiVersion": (group + "/" + version) if group else version,
                "metadata": {"resourceVersion": "1"}, "items": items}
        self.send(200, json.dumps(body).encode())


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = True
print("listening", PORT, flush=True)
server.serve_forever()

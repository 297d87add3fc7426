#!/usr/bin/env bash
# Installs the cluster add-ons the meme-generator manifests rely on, at pinned versions:
#   metrics-server  (HPA CPU/memory, VPA recommendations)   Helm chart
#   KEDA            (ScaledObject for meme-worker)            Helm chart, Prometheus metrics on
#   VPA             (VerticalPodAutoscaler for Redis)         upstream hack/vpa-up.sh at a release tag
# Safe to run again: Helm releases are upgraded in place, and the VPA is only (re)installed when
# its recommender is missing or runs another version.
#
#   k8s/operators/install.sh            install or upgrade all three
#   k8s/operators/install.sh --check    only report what is installed
# Environment: MEME_KUBELET_INSECURE_TLS=1 (default for kind/minikube contexts) lets
# metrics-server accept the kubelets' self-signed certificates.
set -euo pipefail

METRICS_SERVER_CHART_VERSION="${METRICS_SERVER_CHART_VERSION:-3.12.2}"   # metrics-server v0.7.2
KEDA_CHART_VERSION="${KEDA_CHART_VERSION:-2.18.0}"                       # KEDA 2.18.0
VPA_VERSION="${VPA_VERSION:-1.7.1}"                                      # kubernetes/autoscaler tag vertical-pod-autoscaler-1.7.1 (Kubernetes 1.28+)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'operators/install.sh: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is not installed ($2)"; }

need kubectl "https://kubernetes.io/docs/tasks/tools/"
context="$(kubectl config current-context 2>/dev/null)" || die "kubectl has no current context; create a cluster (kind create cluster) or select one (kubectl config use-context NAME)"
kubectl version --request-timeout=10s >/dev/null 2>&1 || die "the API server of context '$context' does not answer"

installed_report() {
  local ms keda vpa
  ms=$(kubectl -n kube-system get deploy metrics-server -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null || echo "not installed")
  keda=$(kubectl -n keda get deploy keda-operator -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null || echo "not installed")
  vpa=$(kubectl -n kube-system get deploy vpa-recommender -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null || echo "not installed")
  printf 'context         %s\nmetrics-server  %s\nkeda            %s\nvpa             %s\n' "$context" "$ms" "$keda" "$vpa"
}

if [ "${1:-}" = "--check" ]; then installed_report; exit 0; fi

need helm "https://helm.sh/docs/intro/install/"

insecure_tls="${MEME_KUBELET_INSECURE_TLS:-}"
if [ -z "$insecure_tls" ]; then
  case "$context" in kind-*|minikube*|docker-desktop|k3d-*) insecure_tls=1 ;; *) insecure_tls=0 ;; esac
fi

# Managed clusters (GKE, AKS, minikube's addon) often ship their own metrics-server in
# kube-system; installing a second one over it would fight the provider, so keep theirs.
ms_owner=$(kubectl -n kube-system get deploy metrics-server -o jsonpath='{.metadata.labels.app\.kubernetes\.io/managed-by}' 2>/dev/null || echo absent)
if [ "$ms_owner" != absent ] && [ "$ms_owner" != Helm ]; then
  log "metrics-server already provided by the cluster; leaving it alone"
else
  log "metrics-server chart $METRICS_SERVER_CHART_VERSION (context $context)"
  helm repo add metrics-server https://kubernetes-sigs.github.io/metrics-server/ --force-update >/dev/null
  ms_args=()
  [ "$insecure_tls" = 1 ] && ms_args+=(--set 'args={--kubelet-insecure-tls}')
  helm upgrade --install metrics-server metrics-server/metrics-server \
    --version "$METRICS_SERVER_CHART_VERSION" --namespace kube-system "${ms_args[@]}" --wait --timeout 5m
fi

log "KEDA chart $KEDA_CHART_VERSION"
helm repo add kedacore https://kedacore.github.io/charts --force-update >/dev/null
# prometheus.operator.enabled: the dashboard's KEDA panel reads keda_scaler_metrics_value.
helm upgrade --install keda kedacore/keda --version "$KEDA_CHART_VERSION" \
  --namespace keda --create-namespace \
  --set prometheus.operator.enabled=true --set prometheus.operator.port=8080 --wait --timeout 5m

vpa_image=$(kubectl -n kube-system get deploy vpa-recommender -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null || true)
if [[ "$vpa_image" == *":$VPA_VERSION" ]]; then
  log "VPA $VPA_VERSION already installed"
else
  log "VPA $VPA_VERSION (was: ${vpa_image:-not installed})"
  need git "to fetch kubernetes/autoscaler"
  need openssl "vpa-up.sh generates the admission controller's certificate"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  git clone -q --depth 1 --branch "vertical-pod-autoscaler-$VPA_VERSION" \
    https://github.com/kubernetes/autoscaler.git "$work/autoscaler"
  # vpa-up.sh installs the CRDs, RBAC, recommender, updater and admission controller at the
  # version of the checked-out tag; a previous installation is torn down first.
  [ -n "$vpa_image" ] && (cd "$work/autoscaler/vertical-pod-autoscaler" && ./hack/vpa-down.sh) || true
  (cd "$work/autoscaler/vertical-pod-autoscaler" && TAG="$VPA_VERSION" ./hack/vpa-up.sh)
  for d in vpa-recommender vpa-updater vpa-admission-controller; do
    kubectl -n kube-system rollout status "deploy/$d" --timeout=5m
  done
fi

kubectl wait --for=condition=Established --timeout=60s \
  crd/scaledobjects.keda.sh crd/verticalpodautoscalers.autoscaling.k8s.io >/dev/null
installed_report

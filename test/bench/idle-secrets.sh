#!/usr/bin/env bash
# Benchmark: resident memory of an idle operator (no canaries) on a cluster that holds COUNT
# Secrets of SIZE_KIB each, the shape of Helm's release records. Run from the project root:
#   test/bench/idle-secrets.sh [COUNT=100] [SIZE_KIB=512]
# Prints VmRSS and VmHWM of the operator once it is ready (every informer has listed).
# FLEDGE_MAIN=dist/operator/src/main.js (after `npm run build`) measures the operator compiled, as
# the image runs it; the default is the TypeScript sources, as `npm start` runs them.
set -euo pipefail
count=${1:-100}
size_kib=${2:-512}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
test/env/prereqs.sh >/dev/null
up=$(test/env/node.sh node test/env/cli.ts up)
export KUBECONFIG=$(sed -n 's/^export KUBECONFIG=//p' <<<"$up")
kubectl=$(sed -n 's/^kubectl: *\([^ ]*\).*/\1/p' <<<"$up")
op=
cleanup() {
  [ -n "$op" ] && kill "$op" 2>/dev/null || true
  test/env/node.sh node test/env/cli.ts down >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$kubectl" apply -f crds/ >/dev/null
"$kubectl" create namespace releases >/dev/null
blob=$(mktemp)
head -c $((size_kib * 1024 * 3 / 4)) /dev/urandom | base64 -w0 >"$blob"
for i in $(seq 1 "$count"); do
  "$kubectl" -n releases create secret generic "sh.helm.release.v1.app$i.v1" --from-file=release="$blob" >/dev/null
done
rm -f "$blob"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
test/env/node.sh node "${FLEDGE_MAIN:-operator/src/main.ts}" --leader-elect=false --metrics-address "127.0.0.1:$port" \
  --log-level warn >/dev/null 2>&1 &
op=$!
deadline=$((SECONDS + 120))
until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do
  [ $SECONDS -lt $deadline ] || { echo "operator not ready in 120 s" >&2; exit 1; }
  sleep 0.5
done
pid=$(pgrep -P "$op" node || echo "$op")
echo "{\"secrets\": $count, \"size_kib\": $size_kib, $(awk '/^VmRSS|^VmHWM/ {printf "\"%s_mb\": %.1f, ", $1, $2/1024}' /proc/"$pid"/status | sed 's/:_mb/_mb/g; s/, $//')}"

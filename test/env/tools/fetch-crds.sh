#!/usr/bin/env bash
# Copies the traffic providers' real CRDs out of their own Go modules, pinned by version and
# checksum in crds/go.mod and crds/go.sum, into the cache build.sh uses. Nothing is built; the
# module proxy is the only source. Prints the directory as its last line; in it:
#   gatewayapi.yaml  sigs.k8s.io/gateway-api           config/crd/standard/gateway.networking.k8s.io_httproutes.yaml
#   istio.yaml       istio.io/api                      kubernetes/customresourcedefinitions.gen.yaml
#   contour.yaml     github.com/projectcontour/contour examples/contour/01-crds.yaml
#   traefik.yaml     github.com/traefik/traefik/v3     docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml
#   keda.yaml        github.com/kedacore/keda/v2       config/crd/bases/keda.sh_scaledobjects.yaml
#
#   FLEDGE_CACHE   cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/fledge)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module="$here/crds"
cache=${FLEDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fledge}
digest=$( (cat "$module/go.mod" "$module/go.sum" "$0") | sha256sum | cut -c1-12)
out="$cache/crds/$digest"
files=(gatewayapi.yaml istio.yaml contour.yaml traefik.yaml keda.yaml)

complete() { for f in "${files[@]}"; do [ -s "$out/$f" ] || return 1; done; }
if complete; then echo "$out"; exit 0; fi
mkdir -p "$cache"
exec 9>"$cache/crds.lock"
flock 9 # a second caller waits for the first fetch
if complete; then echo "$out"; exit 0; fi

command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "fetch-crds.sh: Go is required to fetch the provider CRDs" >&2; exit 1; }
# The directory of a pinned module in the module cache; go verifies it against go.sum.
dir() { (cd "$module" && GOFLAGS=-mod=readonly go mod download -json "$1") | sed -nE 's/^[[:space:]]*"Dir": "(.*)",?$/\1/p'; }
tmp="$out.partial"; rm -rf "$tmp"; mkdir -p "$tmp"
gw=$(dir sigs.k8s.io/gateway-api)
istio=$(dir istio.io/api)
cp "$gw/config/crd/standard/gateway.networking.k8s.io_httproutes.yaml" "$tmp/gatewayapi.yaml"
cp "$istio/kubernetes/customresourcedefinitions.gen.yaml" "$tmp/istio.yaml"
cp "$(dir github.com/projectcontour/contour)/examples/contour/01-crds.yaml" "$tmp/contour.yaml"
cp "$(dir github.com/traefik/traefik/v3)/docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml" "$tmp/traefik.yaml"
cp "$(dir github.com/kedacore/keda/v2)/config/crd/bases/keda.sh_scaledobjects.yaml" "$tmp/keda.yaml"
chmod -R u+w "$tmp"
rm -rf "$out"; mv "$tmp" "$out"
echo "$out"

#!/usr/bin/env bash
# Builds the local control plane's binaries (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, kwok) from the Go modules beside this script, once per set of pinned
# versions, into a cache outside the repository. Prints the binary directory as its last line.
#
#   FLEDGE_CACHE   cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/fledge)
#
# Each tool has its own module so that minimum version selection never mixes etcd's and
# Kubernetes' dependency graphs.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${FLEDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fledge}

pinned() { sed -nE "s#^(require)?[[:space:]]*$1 (v[^ ]+).*#\2#p" "$2" | head -1; }
kube_version=$(pinned k8s.io/kubernetes "$here/kube/go.mod")
etcd_version=$(pinned go.etcd.io/etcd/server/v3 "$here/etcd/go.mod")
kwok_version=$(pinned sigs.k8s.io/kwok "$here/kwok/go.mod")
[ -n "$kube_version" ] && [ -n "$etcd_version" ] && [ -n "$kwok_version" ] || {
  echo "build.sh: cannot read pinned versions from $here/*/go.mod" >&2; exit 1; }
# The key covers every input of the build, so editing a go.sum rebuilds.
digest=$(cat "$here"/{etcd,kube,kwok}/go.mod "$here"/{etcd,kube,kwok}/go.sum "$here"/etcd/main.go | sha256sum | cut -c1-12)
bin="$cache/bin/kube-$kube_version-etcd-$etcd_version-kwok-$kwok_version-$digest"
tools=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)

complete() { for t in "${tools[@]}"; do [ -x "$bin/$t" ] || return 1; done; }
if complete; then echo "$bin"; exit 0; fi

mkdir -p "$cache"
exec 9>"$cache/build.lock"
flock 9 # a second caller waits for the first build instead of repeating it
if complete; then echo "$bin"; exit 0; fi

# Go from go.dev installs to /usr/local/go, which a non-login shell may not have on PATH.
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "build.sh: Go >= 1.26 is required to build the control plane" >&2; exit 1; }
tmp="$bin.partial"; rm -rf "$tmp"; mkdir -p "$tmp"
export CGO_ENABLED=0 GOFLAGS=-mod=mod
start=$SECONDS
minor=${kube_version#v1.}; minor=${minor%%.*}
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$kube_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
echo "building Kubernetes $kube_version (cold: about 10 minutes) ..." >&2
(cd "$here/kube" && go build -trimpath -ldflags "$ldflags" -o "$tmp/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
echo "building etcd $etcd_version ..." >&2
(cd "$here/etcd" && go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" .)
echo "building kwok $kwok_version ..." >&2
(cd "$here/kwok" && go build -trimpath -ldflags "-s -w" -o "$tmp/kwok" sigs.k8s.io/kwok/cmd/kwok)
rm -rf "$bin"; mv "$tmp" "$bin"
echo "built control plane binaries in $((SECONDS - start)) s" >&2
echo "$bin"

#!/usr/bin/env bash
# Builds helm from the Go module in helm/ beside this script, once per pinned version, into the
# same cache as build.sh's control plane binaries. Prints the directory holding `helm` as its last
# line. Used by the chart tests (test/integration/chart) and by anyone who wants the pinned helm:
#
#   PATH="$(test/env/tools/build-helm.sh):$PATH" helm version
#   FLEDGE_CACHE   cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/fledge)
#
# Cold (empty build cache) this takes about 3.5 minutes (measured: 208 s); afterwards it prints the
# cached directory at once.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${FLEDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fledge}
module="$here/helm"

version=$(sed -nE 's#^(require)?[[:space:]]*helm\.sh/helm/v4 (v[^ ]+).*#\2#p' "$module/go.mod" | head -1)
[ -n "$version" ] || { echo "build-helm.sh: cannot read the pinned helm version from $module/go.mod" >&2; exit 1; }
# The key covers every input of the build, so editing go.mod or go.sum rebuilds.
digest=$(cat "$module/go.mod" "$module/go.sum" | sha256sum | cut -c1-12)
bin="$cache/bin/helm-$version-$digest"

if [ -x "$bin/helm" ]; then echo "$bin"; exit 0; fi

mkdir -p "$cache"
exec 9>"$cache/build-helm.lock"
flock 9 # a second caller waits for the first build instead of repeating it
if [ -x "$bin/helm" ]; then echo "$bin"; exit 0; fi

# Go from go.dev installs to /usr/local/go, which a non-login shell may not have on PATH.
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "build-helm.sh: Go >= 1.26 is required to build helm" >&2; exit 1; }
tmp="$bin.partial"; rm -rf "$tmp"; mkdir -p "$tmp"
export CGO_ENABLED=0 GOFLAGS=-mod=mod
start=$SECONDS
echo "building helm $version (cold: about 3.5 minutes) ..." >&2
# helm prints this version; without the -X flag it reports the main module's (devel) version.
(cd "$module" && go build -trimpath -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$version" \
  -o "$tmp/" helm.sh/helm/v4/cmd/helm)
rm -rf "$bin"; mv "$tmp" "$bin"
echo "built helm $version in $((SECONDS - start)) s" >&2
echo "$bin"

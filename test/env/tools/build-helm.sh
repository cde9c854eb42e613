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
version=$(sed -nE 's#^(require)?[[:space:]]*helm\.sh/helm/v4 (v[^ ]+).*#\2#p' "$here/helm/go.mod" | head -1)
[ -n "$version" ] || { echo "build-helm.sh: cannot read the pinned helm version from $here/helm/go.mod" >&2; exit 1; }
# helm prints this version; without the -X flag it reports the main module's (devel) version.
bin=$(bash "$here/build-go-tool.sh" helm helm.sh/helm/v4/cmd/helm \
  "-X helm.sh/helm/v4/internal/version.version=$version" | tail -1)
dirname "$bin"

#!/usr/bin/env bash
# Installs what the demo needs beyond npm packages, when it is missing: Debian's prometheus,
# openssl, the control plane binaries (built once, then cached) and the providers' CRDs. With `tests`, also what only
# the tests need: helm (chart tests) and Lua 5.1 with cjson (the Argo CD health and action scripts).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for_tests=false
[ "${1:-}" = tests ] && for_tests=true

missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v openssl >/dev/null || missing+=(openssl)
if $for_tests; then
  command -v lua5.1 >/dev/null || missing+=(lua5.1)
  lua5.1 -e 'require("cjson")' 2>/dev/null || missing+=(lua-cjson)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "prereqs: installing ${missing[*]} with apt-get" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "prereqs: missing ${missing[*]}; install with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
bash "$here/tools/build.sh" >/dev/null
# The traffic providers' real CRDs (HTTPRoute for the demo; Istio's for the tests), from their Go modules.
bash "$here/tools/fetch-crds.sh" >/dev/null
if $for_tests; then bash "$here/tools/build-helm.sh" >/dev/null; fi

#!/usr/bin/env bash
# Builds a tool from its Go module beside this script (kstatus/, helm/), once per content of the
# module, into the cache build.sh uses. Prints the path of the binary as its last line.
#
#   test/env/tools/build-go-tool.sh NAME [PACKAGE] [LDFLAGS]
#     NAME      the module directory test/env/tools/NAME, and the binary's name
#     PACKAGE   what to build (default: the module itself, `.`)
#     LDFLAGS   extra -ldflags (e.g. -X to stamp a version)
#   FLEDGE_CACHE   cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/fledge)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
name=${1:?usage: build-go-tool.sh NAME [PACKAGE] [LDFLAGS]}
package=${2:-.}
ldflags=${3:-}
module="$here/$name"
[ -f "$module/go.mod" ] || { echo "build-go-tool.sh: no Go module at $module" >&2; exit 2; }
cache=${FLEDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fledge}
# The key covers every input of the build, so editing the module or the flags rebuilds.
shopt -s nullglob
digest=$( (cat "$module"/go.mod "$module"/go.sum "$module"/*.go; echo "$package $ldflags") | sha256sum | cut -c1-12)
bin="$cache/bin/$name-$digest/$name"

if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
mkdir -p "$cache"
exec 9>"$cache/build-$name.lock"
flock 9 # a second caller waits for the first build instead of repeating it
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

# Go from go.dev installs to /usr/local/go, which a non-login shell may not have on PATH.
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "build-go-tool.sh: Go >= 1.26 is required to build $name" >&2; exit 1; }
tmp="$(dirname "$bin").partial"; rm -rf "$tmp"; mkdir -p "$tmp"
start=$SECONDS
echo "building $name from $module ..." >&2
(cd "$module" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w $ldflags" -o "$tmp/$name" "$package")
rm -rf "$(dirname "$bin")"; mv "$tmp" "$(dirname "$bin")"
echo "built $name in $((SECONDS - start)) s" >&2
echo "$bin"

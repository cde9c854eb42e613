#!/usr/bin/env bash
# Copies the generated CRDs (crds/*.yaml at the repository root, written by `npm run gen:crds`)
# into the chart, where Helm installs them from charts/fledge/charts/crds/files/.
#
#   charts/fledge/sync-crds.sh           copy (and remove copies whose source is gone)
#   charts/fledge/sync-crds.sh --check   exit 1 naming each file that differs (CI; the chart
#                                        tests run the same comparison)
set -euo pipefail
chart=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src="$chart/../../crds"
dst="$chart/charts/crds/files"
check=false
case "${1:-}" in --check) check=true ;; "") ;; *) echo "usage: $0 [--check]" >&2; exit 2 ;; esac

shopt -s nullglob
sources=("$src"/*.yaml)
[ ${#sources[@]} -gt 0 ] || { echo "sync-crds.sh: no CRDs in $src; run npm run gen:crds first" >&2; exit 1; }

stale=0
for f in "${sources[@]}"; do
  name=$(basename "$f")
  if ! cmp -s "$f" "$dst/$name"; then
    if $check; then echo "out of date: charts/fledge/charts/crds/files/$name" >&2; stale=1
    else mkdir -p "$dst"; cp "$f" "$dst/$name"; echo "copied $name"; fi
  fi
done
for f in "$dst"/*.yaml; do
  name=$(basename "$f")
  if [ ! -e "$src/$name" ]; then
    if $check; then echo "no longer generated: charts/fledge/charts/crds/files/$name" >&2; stale=1
    else rm "$f"; echo "removed $name"; fi
  fi
done
if $check && [ $stale -ne 0 ]; then echo "run charts/fledge/sync-crds.sh" >&2; exit 1; fi
exit 0

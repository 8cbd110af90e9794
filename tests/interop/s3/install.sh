#!/usr/bin/env bash
# Installs moto's S3 server (from PyPI) into a virtual environment under
# target/, for the media-storage test against an S3-compatible bucket.
# Idempotent. The tests look for target/moto/bin/moto_server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
venv=target/moto
if [[ -x $venv/bin/moto_server ]] && "$venv/bin/python" -c 'import moto.server' 2>/dev/null; then
  echo "moto: up to date"
else
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]==5.2.5'
fi
"$venv/bin/python" -c 'import moto; print("moto", moto.__version__)'

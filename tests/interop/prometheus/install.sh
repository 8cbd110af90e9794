#!/usr/bin/env bash
# Installs the official Prometheus Python client (from PyPI) into a virtual
# environment under target/, whose text-format parser must read our
# /metrics. Idempotent. The tests look for target/prometheus/bin/python.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
venv=target/prometheus
if [[ -x $venv/bin/python ]] && "$venv/bin/python" -c 'import prometheus_client' 2>/dev/null; then
  echo "prometheus_client: up to date"
else
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'prometheus-client==0.26.0'
fi
"$venv/bin/python" -c 'import prometheus_client, importlib.metadata as m; print("prometheus_client", m.version("prometheus-client"))'

#!/usr/bin/env bash
# Installs Python's feedparser (from PyPI) into a virtual environment under
# target/, for the feed tests: every feed must parse with bozo = 0.
# Idempotent. The tests look for target/feedparser/bin/python.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
venv=target/feedparser
if [[ -x $venv/bin/python ]] && "$venv/bin/python" -c 'import feedparser' 2>/dev/null; then
  echo "feedparser: up to date"
else
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'feedparser==6.0.12'
fi
"$venv/bin/python" -c 'import feedparser; print("feedparser", feedparser.__version__)'

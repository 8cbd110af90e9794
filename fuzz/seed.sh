#!/usr/bin/env bash
# Build the seed corpus of the inbox_parser fuzz target: our own seeds
# (fuzz/seeds) and the real peer documents in ../tests/fixtures (read in
# place, copied only into the git-ignored corpus folder).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
mkdir -p corpus/inbox_parser
cp seeds/*.json corpus/inbox_parser/
find ../tests/fixtures -name '*.json' | while read -r f; do
  cp "$f" "corpus/inbox_parser/real_$(echo "$f" | tr '/.' '__')"
done
echo "seed corpus: $(ls corpus/inbox_parser | wc -l) files"

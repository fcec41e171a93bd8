#!/usr/bin/env bash
# Refresh the hashed lock files from pyproject.toml:
#   scripts/lock.sh              keep every pin that still fits pyproject (adds what is new)
#   scripts/lock.sh --upgrade    move every pin to the newest release pyproject allows
# Needs uv (`pip install uv`, or any uv on PATH). The Dockerfile installs requirements/lock.txt;
# CI installs requirements/dev-lock.txt and checks that the README's install matches it.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-uv}
command -v "$UV" >/dev/null || { echo "uv not found: pip install uv (or set UV=/path/to/uv)" >&2; exit 1; }
common=(pyproject.toml --generate-hashes --universal --python-version 3.11 --quiet
        --custom-compile-command "scripts/lock.sh" "$@")
"$UV" pip compile "${common[@]}" -o requirements/lock.txt
"$UV" pip compile "${common[@]}" --extra dev -o requirements/dev-lock.txt
echo "requirements/lock.txt: $(grep -c '==' requirements/lock.txt) pins;" \
     "requirements/dev-lock.txt: $(grep -c '==' requirements/dev-lock.txt) pins"

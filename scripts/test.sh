#!/usr/bin/env bash
# Set up (idempotent) and run every test, slow and browser tests included, plus ruff.
# The optional YOLO extra (Ultralytics + torch, AGPL-3.0) lives in .venv-yolo and its tests run there;
# pass --no-yolo to skip installing it.
set -euo pipefail
cd "$(dirname "$0")/.."
yolo=1
args=()
for a in "$@"; do
  if [ "$a" = "--no-yolo" ]; then yolo=0; else args+=("$a"); fi
done
if [ "$yolo" = 1 ]; then ./scripts/install.sh --test --yolo; else ./scripts/install.sh --test; fi
.venv/bin/ruff check src tests benchmarks scripts
mkdir -p test-artifacts
.venv/bin/python -m pytest -q -m "not yolo" "${args[@]}"
if [ "$yolo" = 1 ]; then
  .venv-yolo/bin/python -m pytest -q -m yolo tests/test_yolo.py "${args[@]}"
fi

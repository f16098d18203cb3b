#!/usr/bin/env bash
# Set up (idempotent) and run the whole test suite, slow tests included, plus ruff.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh --test
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/python -m pytest -q "$@"

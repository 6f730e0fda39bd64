#!/usr/bin/env bash
# The test command: set up (idempotent), then lint, type-check and run the suite on both cores.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
uv run ruff check .
uv run ruff format --check .
uv run mypy
uv run pytest -n 2 -q "$@"

#!/usr/bin/env bash
# The whole check: set-up (idempotent), lint, type-check, then every test against real
# Temporal servers (each test file starts its own and tears it down).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "[test] lint" >&2
pnpm run --silent lint
echo "[test] type-check" >&2
pnpm run --silent typecheck
echo "[test] jest" >&2
pnpm exec jest "$@"

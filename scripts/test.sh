#!/usr/bin/env bash
# The README's test command: installs what the tests need on a fresh machine, then runs them.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use, installed only when missing.
need=()
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
command -v chromium >/dev/null || need+=(chromium)          # report.html browser test
command -v redis-server >/dev/null || need+=(redis-server)  # distributed sweep test (the test starts its own server)
pkg-config --exists openblas 2>/dev/null || need+=(libopenblas-dev pkg-config)  # native matmul addon, built by npm ci
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

npm ci --no-audit --no-fund   # also builds dist/ (the `prepare` script)
npm run lint
npm run lint:imports   # layers and cycles (.dependency-cruiser.cjs, docs/architecture.md)
npm run typecheck
npx vitest run

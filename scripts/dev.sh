#!/usr/bin/env bash
# One entry point for the quick start on a fresh machine:
#   bash scripts/dev.sh demo   set everything up, build, and run `connectors demo` on the embedded store
#   bash scripts/dev.sh test   set everything up and run the whole test suite
#   bash scripts/dev.sh <cmd>  run any other command with the project's Node.js and pnpm on PATH
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bootstrap.sh
. "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"

case "${1:-}" in
  demo)
    shift
    pnpm exec turbo run build --filter=@connectors/service... --output-logs=errors-only
    exec node apps/service/dist/main.js demo "$@"
    ;;
  test)
    shift
    exec pnpm exec turbo run test --concurrency=1 --continue "$@"
    ;;
  "")
    echo "usage: bash scripts/dev.sh demo|test|<command...>" >&2
    exit 2
    ;;
  *)
    exec "$@"
    ;;
esac

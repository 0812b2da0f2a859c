#!/usr/bin/env bash
# The demo (README): the lab cluster, the extension built and packaged, a real VS Code
# (code-server) with it installed on examples/, a few jobs running. Prints the URL; Ctrl+C stops.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure-browser.sh >/dev/null 2>&1 || true
node scripts/package.mjs
exec npx tsx scripts/demo.ts

#!/usr/bin/env bash
# The full test command (README, .ci/run): dependencies, type-check, bundles and .vsix, the lab,
# then unit, grammar and integration tests in one mocha run closed by "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure-browser.sh
echo "test: type-check" >&2
npx tsc -b
echo "test: regex safety (eslint-plugin-regexp)" >&2
npm run --silent lint:regex
echo "test: package" >&2
node scripts/package.mjs
# Where the lab can run (root on Debian) a lab that fails to start fails the run; elsewhere the
# integration tests are skipped and say why.
if [[ $(id -u) -eq 0 && -f /etc/debian_version ]]; then export HPC_GEO_REQUIRE_LAB=${HPC_GEO_REQUIRE_LAB:-1}; fi
npx mocha --config test/.mocharc.json "$@"

#!/usr/bin/env bash
# The full test command (README, .ci/run): dependencies, type-check, bundles and .vsix, the lab,
# then unit, grammar, integration and end-to-end tests in one mocha run closed by "tests: N passed,
# N failed, N skipped", then the integration and end-to-end tests against Slurm 24.11 ("tests on Slurm 24.11: ...").
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
status=0
# every pass's closing line and its failures, printed again at the very end
HPC_GEO_TEST_SUMMARY=$(mktemp)
export HPC_GEO_TEST_SUMMARY
trap 'rm -f "$HPC_GEO_TEST_SUMMARY"' EXIT
npx mocha --config test/.mocharc.json "$@" || status=$?
# The integration and end-to-end suites again against the lab's Slurm 24.11 (a Debian 13 root,
# built once and kept outside the clone): what NRIS and LUMI run. HPC_GEO_SKIP_SLURM_24=1 skips it.
if [[ -z ${HPC_GEO_SKIP_SLURM_24:-} ]]; then
  echo "test: the lab suites against Slurm 24.11" >&2
  HPC_GEO_LAB_SLURM=24.11 npx mocha --config test/.mocharc.lab.json "$@" || status=$?
fi
echo
echo "test summary (exit $status):"
cat "$HPC_GEO_TEST_SUMMARY"
exit "$status"

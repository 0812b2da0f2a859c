// Mocha's spec reporter, closed by one plain line that any CI can read:
//   tests: N passed, N failed, N skipped
// (against the Slurm 24.11 lab, HPC_GEO_LAB_SLURM=24.11: "tests on Slurm 24.11: ...")
// With HPC_GEO_TEST_SUMMARY set to a file, that line and one line per failed test (its full title
// and the first line of its error) are appended there too: scripts/test.sh prints the file last,
// so a CI that keeps only the end of the output still shows what failed in every pass.
'use strict';
const { appendFileSync } = require('node:fs');
const Mocha = require('mocha');
const { EVENT_RUN_END, EVENT_TEST_FAIL } = Mocha.Runner.constants;

class HpcGeoReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failed = [];
    runner.on(EVENT_TEST_FAIL, (test, err) => {
      const first = String((err && err.message) || err).split('\n', 1)[0].slice(0, 300);
      failed.push(`  failed: ${test.fullTitle()}: ${first}`);
    });
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats || this.stats;
      const on = process.env.HPC_GEO_LAB_SLURM && process.env.HPC_GEO_LAB_SLURM !== '22.05' ? ` on Slurm ${process.env.HPC_GEO_LAB_SLURM}` : '';
      const line = `tests${on}: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`;
      process.stdout.write(`\n${line}\n`);
      if (process.env.HPC_GEO_TEST_SUMMARY) appendFileSync(process.env.HPC_GEO_TEST_SUMMARY, [line, ...failed].join('\n') + '\n');
    });
  }
}
module.exports = HpcGeoReporter;

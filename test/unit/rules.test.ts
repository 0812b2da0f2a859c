import { strict as assert } from 'node:assert';
import { RULES } from '../../server/src/engine';
import { EXAMPLES } from '../../server/src/rules/examples';
import { applyEdits, engine, lintText } from '../support/engine';

/**
 * Every rule's own examples: each bad one triggers it, each good one does not, and a quick fix,
 * where there is one, makes that finding go away.
 */
describe('rules: examples', () => {
  before(engine);

  it('has at least 40 rules with unique ids, docs and examples', () => {
    assert.ok(RULES.length >= 40, `${RULES.length} rules`);
    assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length);
    for (const r of RULES) {
      assert.match(r.id, /^[a-z][a-z0-9-]+$/, r.id);
      assert.ok(r.docs.problem && r.docs.why && r.docs.fix && r.docs.source, `${r.id} docs`);
      assert.ok(EXAMPLES[r.id]?.bad.length && EXAMPLES[r.id]?.good.length, `${r.id} examples`);
    }
    assert.deepEqual(Object.keys(EXAMPLES).sort(), RULES.map((r) => r.id).sort(), 'examples for rules that exist');
  });

  for (const rule of RULES) {
    describe(rule.id, () => {
      EXAMPLES[rule.id]!.bad.forEach((ex, i) => {
        const e = typeof ex === 'string' ? { text: ex } : ex;
        it(`reports bad example ${i + 1}${e.profile ? ` (${e.profile})` : ''}`, () => {
          const found = lintText(e.text, { ...(e.profile ? { profile: e.profile } : {}), ...(e.kind ? { kind: e.kind } : {}) }).filter((d) => d.code === rule.id);
          assert.ok(found.length > 0, `${rule.id} did not fire on:\n${e.text}`);
          for (const d of found) {
            assert.ok(d.message.length > 20, 'a message that says what breaks and what to do');
            assert.ok(d.start <= d.end && d.end <= e.text.length, 'range inside the text');
            if (d.fix) {
              const fixed = applyEdits(e.text, d.fix.edits);
              const before = found.filter((x) => x.message === d.message).length;
              const again = lintText(fixed, { ...(e.profile ? { profile: e.profile } : {}), ...(e.kind ? { kind: e.kind } : {}) }).filter((x) => x.code === rule.id && x.message === d.message);
              assert.ok(again.length < before, `fix "${d.fix.title}" left the finding:\n${fixed}`);
            }
          }
        });
      });
      EXAMPLES[rule.id]!.good.forEach((ex, i) => {
        const e = typeof ex === 'string' ? { text: ex } : ex;
        it(`accepts good example ${i + 1}${e.profile ? ` (${e.profile})` : ''}`, () => {
          const found = lintText(e.text, { ...(e.profile ? { profile: e.profile } : {}), ...(e.kind ? { kind: e.kind } : {}) }).filter((d) => d.code === rule.id || d.code === 'internal-error');
          assert.deepEqual(found.map((d) => `${d.code}: ${d.message}`), [], `on:\n${e.text}`);
        });
      });
    });
  }
});

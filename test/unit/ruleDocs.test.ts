import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOCS_DIR, expectedPages } from '../../scripts/ruleDocs';

describe('rule documentation', () => {
  it('has a page for every rule, written from the rule (npm run docs), and nothing else', () => {
    const expected = expectedPages();
    assert.deepEqual(readdirSync(DOCS_DIR).sort(), [...expected.keys()].sort());
    for (const [name, text] of expected) assert.equal(readFileSync(join(DOCS_DIR, name), 'utf8'), text, `docs/rules/${name} is stale: run npm run docs`);
  });

  it('explains the tippecanoe threshold with its arithmetic', () => {
    const page = readFileSync(join(DOCS_DIR, 'tippecanoe-max-threads.md'), 'utf8');
    assert.match(page, /745/);
    assert.match(page, /CPUS \* 4/);
    assert.match(page, /186/);
  });
});

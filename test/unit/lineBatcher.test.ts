import { strict as assert } from 'node:assert';
import type { LogLine } from '../../common/logs/stream';
import { LineBatcher } from '../../extension/src/logs/lineBatcher';

describe('line batcher', () => {
  it('hands a lone line over at once, and gathers a burst into few messages', async () => {
    const messages: LogLine[][] = [];
    const b = new LineBatcher((lines) => messages.push(lines), 40);
    b.push([{ text: 'first' }], undefined);
    assert.equal(messages.length, 1, 'at once');
    for (let i = 0; i < 1000; i++) b.push([{ text: `burst ${i}` }], undefined);
    assert.equal(messages.length, 1, 'the burst waits for the interval');
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(messages.length, 2);
    assert.equal(messages[1]!.length, 1000);
    b.dispose();
  });

  it('drops what is pending on clear (the page it was meant for was loaded again)', async () => {
    const messages: string[][] = [];
    const b = new LineBatcher((lines, open) => messages.push([...lines.map((l) => l.text), ...(open ? [`open: ${open.text}`] : [])]), 40);
    b.push([{ text: 'first' }], undefined);
    b.push([{ text: 'for the old page' }], { text: 'half' });
    b.clear();
    b.flush();
    b.push([{ text: 'for the new page' }], undefined);
    b.flush();
    assert.deepEqual(messages, [['first'], ['for the new page']]);
    b.dispose();
  });
});

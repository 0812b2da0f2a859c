import { strict as assert } from 'node:assert';
import { failureOf } from '../../common/logs/failures';
import { LogStream, type LogLine } from '../../common/logs/stream';

function run(chunks: (string | Buffer)[]): { lines: LogLine[]; open?: LogLine } {
  const s = new LogStream();
  const lines: LogLine[] = [];
  let open: LogLine | undefined;
  for (const c of chunks) {
    const u = s.push(typeof c === 'string' ? Buffer.from(c) : c);
    lines.push(...u.lines);
    open = u.open;
  }
  return { lines, ...(open ? { open } : {}) };
}

const texts = (ls: LogLine[]) => ls.map((l) => l.text);

describe('log stream processing', () => {
  it('holds a partial line until its end arrives, showing it as the open line', () => {
    const r = run(['year 2008: zon', 'al stats 10', '%\nyear 2009']);
    assert.deepEqual(texts(r.lines), ['year 2008: zonal stats 10%']);
    assert.equal(r.open?.text, 'year 2009');
  });

  it('decodes UTF-8 split across chunks', () => {
    const bytes = Buffer.from('é 日本 🌍\n');
    const r = run([...bytes].map((b) => Buffer.from([b])));
    assert.deepEqual(texts(r.lines), ['é 日本 🌍']);
  });

  it('collapses carriage-return progress bars to their latest state', () => {
    const bars = Array.from({ length: 1000 }, (_, i) => `\r 45%|████      | ${i}/1000 [00:10<00:12]`).join('');
    const r = run([`start\n${bars}`, '\rdone 100%|██████████| 1000/1000\n', 'next\r\n']);
    assert.deepEqual(texts(r.lines), ['start', 'done 100%|██████████| 1000/1000', 'next']);
  });

  it('keeps \\r\\n line ends as one line end', () => {
    assert.deepEqual(texts(run(['a\r', '\nb\r\n']).lines), ['a', 'b']);
  });

  it('turns ANSI colours into styles, drops other escapes, even when cut by a chunk', () => {
    const r = run(['\u001b[1;31mERR', 'OR\u001b[0m plain \u001b[', '32mgreen\u001b[0m\u001b[2K\u001b]0;title\u0007\n']);
    assert.equal(r.lines[0]!.text, 'ERROR plain green');
    assert.deepEqual(r.lines[0]!.spans, [[0, 5, { bold: true, fg: 31 }], [12, 17, { fg: 32 }]]);
  });

  it('starts over after a reset (a truncated or replaced file)', () => {
    const s = new LogStream();
    s.push(Buffer.from('old line\nhalf'));
    s.reset();
    assert.deepEqual(texts(s.push(Buffer.from('new\n')).lines), ['new']);
    assert.equal(s.bytes, 4);
  });

  it('marks the lines that say a job failed', () => {
    assert.equal(failureOf('Internal error: 745 shards not a power of 2'), 'tippecanoe');
    assert.equal(failureOf('slurmstepd: error: *** JOB 812345 ON b1101 CANCELLED AT 2026-11-20T08:00:00 DUE TO TIME LIMIT ***'), 'timeout');
    assert.equal(failureOf('Traceback (most recent call last):'), 'traceback');
    assert.equal(failureOf('RuntimeError: CUDA error: an illegal memory access was encountered'), 'cuda');
    assert.equal(failureOf('torch.cuda.OutOfMemoryError: CUDA out of memory.'), 'oom');
    assert.equal(failureOf('ValueError: bad band count'), 'exception');
    assert.equal(failureOf('2026-11-20 ERROR upload failed'), 'error');
    assert.equal(failureOf('zonal stats 45% (13,000,000 fields)'), undefined);
    assert.equal(failureOf('errors: 0'), undefined);
  });
});

/** PyTorch's 2^31 - 1 element limit, computed from the sizes a script sets. */
import type { Word } from '../analysis/bash';
import type { Rule, RuleContext } from './rule';
import { expand, variableValues } from './util';

export const INT_MAX = 2 ** 31 - 1;

type Dim = 'batch' | 'channels' | 'patch' | 'height' | 'width' | 'scale';

const VARIABLE_DIMS: [RegExp, Dim][] = [
  [/^(\w*_)?BATCH_?SIZE$|^BS$/i, 'batch'],
  [/^(N_|NUM_)?(CHANNELS|BANDS|IN_CHANS|IN_CHANNELS)$/i, 'channels'],
  [/^(PATCH|TILE|CROP|IMG|IMAGE)_?SIZE$|^PATCH$/i, 'patch'],
  [/^(PATCH_?H|HEIGHT|TILE_H)$/i, 'height'],
  [/^(PATCH_?W|WIDTH|TILE_W)$/i, 'width'],
  [/^(UPSCALE|UP_?SCALE_?FACTOR|SCALE|SCALE_?FACTOR|SR_?SCALE)$/i, 'scale'],
];

const FLAG_DIMS: [string[], Dim][] = [
  [['--batch-size', '--batch_size', '--bs', '--tile-batch-size'], 'batch'],
  [['--channels', '--bands', '--in-channels', '--in_chans', '--num-bands', '--n-bands'], 'channels'],
  [['--patch-size', '--patch_size', '--tile-size', '--crop-size', '--img-size'], 'patch'],
  [['--height', '--patch-height'], 'height'],
  [['--width', '--patch-width'], 'width'],
  [['--upscale', '--scale', '--upscale-factor', '--scale-factor', '--upscale_factor'], 'scale'],
];

interface Found {
  value: number;
  word: Word;
  name: string;
}

function collect(ctx: RuleContext): Partial<Record<Dim, Found>> {
  const vars = variableValues(ctx.script);
  const found: Partial<Record<Dim, Found>> = {};
  const num = (w: Word) => {
    const n = Number(expand(w.text, vars));
    return Number.isInteger(n) && n > 0 ? n : undefined;
  };
  for (const a of [...ctx.script.shell.assignments, ...ctx.script.shell.commands.flatMap((c) => c.prefixAssignments)]) {
    if (!/SIZE|BS|CHAN|BAND|PATCH|TILE|CROP|IMG|IMAGE|HEIGHT|WIDTH|SCALE|_H$|_W$/i.test(a.name)) continue;
    const dim = VARIABLE_DIMS.find(([re]) => re.test(a.name))?.[1];
    const n = a.value && num(a.value);
    if (dim && n && a.value) found[dim] = { value: n, word: a.value, name: a.name };
  }
  for (const inv of ctx.script.invocations) {
    inv.args.forEach((w, i) => {
      if (!w.text.startsWith('--')) return;
      for (const [flags, dim] of FLAG_DIMS) {
        const eq = flags.find((f) => w.text.startsWith(`${f}=`));
        const valueWord = eq ? { ...w, text: w.text.slice(eq.length + 1), start: w.start + eq.length + 1 } : flags.includes(w.text) ? inv.args[i + 1] : undefined;
        const n = valueWord && num(valueWord);
        if (valueWord && n) {
          // a flag whose value is a variable points at the variable's own assignment, if found
          const viaVar = /^\$\{?(\w+)\}?$/.exec(valueWord.text)?.[1];
          const assigned = viaVar ? Object.values(found).find((f) => f?.name === viaVar) : undefined;
          found[dim] = assigned && assigned.value === n ? { ...assigned } : { value: n, word: valueWord, name: eq ?? w.text };
        }
      }
    });
  }
  return found;
}

export const tensorIntMax: Rule = {
  id: 'tensor-int-max',
  severity: 'error',
  title: 'Batch size that overflows PyTorch\'s 2^31 element limit',
  kinds: ['sbatch', 'apptainer'],
  docs: {
    problem: 'The batch size, channels (bands), patch height and width and upscale factor set in the script multiply to more than 2^31 − 1 = 2,147,483,647 elements.',
    why: 'Several PyTorch kernels (`aten::index` among them) index tensors with 32-bit integers. Past INT_MAX the job crashes with a cryptic CUDA error, after loading data and model: `TILE_BATCH_SIZE=64` on an A100 gave 2.21 billion elements.',
    fix: 'Lower the batch size to at most INT_MAX / (channels × height × width × scale²); the quick fix sets the largest safe batch. The super-resolution job went from 64 to 12 (413 million elements).',
    source: 'DR inference field report, "Lesson 2: Batch size too large → PyTorch INT_MAX overflow".',
  },
  check(ctx) {
    const f = collect(ctx);
    const h = f.height?.value ?? f.patch?.value;
    const w = f.width?.value ?? f.patch?.value;
    if (!f.batch || !f.channels || !h || !w) return;
    const scale = f.scale?.value ?? 1;
    const perItem = f.channels.value * h * w * scale * scale;
    const total = f.batch.value * perItem;
    if (total <= INT_MAX) return;
    const safe = Math.floor(INT_MAX / perItem);
    const fmt = (n: number) => n.toLocaleString('en-US');
    const dims = `${f.batch.value} × ${f.channels.value} × ${h} × ${w}${scale !== 1 ? ` × ${scale}²` : ''}`;
    ctx.report({
      start: f.batch.word.start,
      end: f.batch.word.end,
      message: `${f.batch.name}=${f.batch.value} makes tensors of ${dims} = ${fmt(total)} elements, past PyTorch's INT_MAX (${fmt(INT_MAX)}): the job crashes with a CUDA error. The largest safe batch is ${safe}.`,
      ...(safe >= 1 ? { fix: { title: `Set the batch size to ${safe}`, edits: [{ start: f.batch.word.start, end: f.batch.word.end, newText: String(safe) }] } } : {}),
    });
  },
};

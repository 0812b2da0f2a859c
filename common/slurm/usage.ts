/**
 * What a job used, in words a person sizes the next request with: sacct's per-step figures for
 * an ended job (and the finished steps of a running one), sstat's live figures for the running
 * steps. Pure: the argv, the parser and the page's Markdown.
 */
import type { UsageRow } from './jobs';

/** A running step's figures so far, as sstat reports them. */
export interface LiveUsageRow {
  step: string;
  tasks?: number;
  nodes?: string;
  maxRss?: string;
  maxRssNode?: string;
  aveCpu?: string;
  maxVmSize?: string;
}

const SSTAT_FIELDS = ['JobID', 'NTasks', 'Nodelist', 'MaxRSS', 'MaxRSSNode', 'AveCPU', 'MaxVMSize'] as const;

/** sstat of every running step of a job (batch step included); sstat has no --delimiter, and none of these fields holds a `|`. */
export function sstatArgv(jobId: string): string[] {
  return ['sstat', '--noheader', '--parsable2', '--allsteps', `--jobs=${jobId}`, `--format=${SSTAT_FIELDS.join(',')}`];
}

export function parseSstat(text: string): LiveUsageRow[] {
  const rows: LiveUsageRow[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split('|');
    if (f.length !== SSTAT_FIELDS.length || !/^\d/.test(f[0]!)) continue;
    const [step, tasks, nodes, maxRss, maxRssNode, aveCpu, maxVmSize] = f as [string, string, string, string, string, string, string];
    const v = (s: string) => (s && s !== '0' && s !== '00:00:00' && s !== '0K' ? s : undefined);
    rows.push({
      step,
      ...(Number(tasks) ? { tasks: Number(tasks) } : {}),
      ...(nodes ? { nodes } : {}),
      ...(v(maxRss) ? { maxRss } : {}),
      ...(v(maxRssNode) && v(maxRss) ? { maxRssNode } : {}),
      ...(v(aveCpu) ? { aveCpu } : {}),
      ...(v(maxVmSize) ? { maxVmSize } : {}),
    });
  }
  return rows;
}

/** A table cell: Slurm's text as it is, a `|` or newline unable to break the table. */
function cell(s: string | number | undefined): string {
  return String(s ?? '').replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/[<>*_`[\]]/g, (c) => `\\${c}`);
}

export interface UsagePage {
  jobId: string;
  cluster: string;
  /** Whether the job runs now (then sstat's figures are asked for). */
  running: boolean;
  rows: readonly UsageRow[];
  /** sstat's rows; undefined when not asked; the error when sstat failed. */
  live?: readonly LiveUsageRow[] | { error: string };
  readAt: Date;
}

/** The Markdown of the resource usage page. */
export function usageMarkdown(p: UsagePage): string {
  const out = [`# Resource usage of job ${cell(p.jobId)} on ${cell(p.cluster)}`, ''];
  out.push(`Read at ${p.readAt.toLocaleTimeString()}; run **Show Resource Usage** again for newer figures. Size the next request from the peak: memory about twice the largest MaxRSS, time the longest elapsed with a margin.`, '');
  if (p.running) {
    out.push('## Running steps, so far (sstat)', '');
    if (!p.live) out.push('Not read.');
    else if ('error' in p.live) out.push(`sstat could not report the running steps: ${cell(p.live.error)}`);
    else if (!p.live.length) out.push('No running step reports figures yet.');
    else if (p.live.every((r) => !r.maxRss && !r.aveCpu)) out.push(`The running steps (${p.live.map((r) => cell(r.step)).join(', ')}) report no figures: this cluster does not gather the usage of running jobs (its JobAcctGatherType is none), or the steps have only just started.`);
    else {
      out.push('| step | tasks | nodes | MaxRSS | on node | average CPU time | MaxVMSize |', '|---|---:|---|---:|---|---:|---:|');
      for (const r of p.live) out.push(`| ${cell(r.step)} | ${cell(r.tasks)} | ${cell(r.nodes)} | ${cell(r.maxRss)} | ${cell(r.maxRssNode)} | ${cell(r.aveCpu)} | ${cell(r.maxVmSize)} |`);
    }
    out.push('');
  }
  out.push(p.running ? '## Accounting (sacct: the job, and its steps that have ended)' : '## Accounting (sacct)', '');
  if (!p.rows.length) out.push('sacct has no record of this job (yet): accounting may lag a few seconds behind the job, and sites keep it for a limited time.');
  else {
    out.push('| step | state | elapsed | limit | CPU time | CPUs | MaxRSS | requested memory |', '|---|---|---:|---:|---:|---:|---:|---:|');
    for (const r of p.rows) out.push(`| ${cell(r.jobId)} | ${cell(r.state)} | ${cell(r.elapsed)} | ${cell(r.timelimit)} | ${cell(r.totalCpu)} | ${cell(r.allocCpus)} | ${cell(r.maxRss)} | ${cell(r.reqMem)} |`);
  }
  return `${out.join('\n')}\n`;
}

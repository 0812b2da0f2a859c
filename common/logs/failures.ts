/**
 * Lines that say a job went wrong, as they appear in real logs: Python tracebacks and exceptions,
 * CUDA errors, the kernel's OOM killer, Slurm's own messages, tippecanoe's shard crash.
 */

export type FailureKind = 'traceback' | 'exception' | 'error' | 'cuda' | 'oom' | 'timeout' | 'slurm' | 'tippecanoe' | 'killed';

const PATTERNS: [FailureKind, RegExp][] = [
  ['tippecanoe', /shards not a power of 2/],
  ['timeout', /DUE TO TIME LIMIT/],
  ['oom', /oom[-_ ]kill|Out Of Memory|OutOfMemoryError|CUDA out of memory|MemoryError/i],
  ['cuda', /CUDA error|cudaError|CUBLAS_STATUS_|NCCL error|device-side assert/],
  ['slurm', /slurmstepd: error|srun: error|\*\*\* (?:JOB|STEP) \d[\d.]* .*CANCELLED/],
  ['traceback', /^Traceback \(most recent call last\):/],
  ['exception', /^(?:[A-Za-z_][\w.]*)?(?:Error|Exception): /],
  ['killed', /^Killed$|Segmentation fault|core dumped|Bus error/],
  ['error', /\bERROR\b|\bFATAL\b|\bFatal error\b/],
];

export function failureOf(line: string): FailureKind | undefined {
  for (const [kind, re] of PATTERNS) if (re.test(line)) return kind;
  return undefined;
}

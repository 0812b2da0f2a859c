/**
 * Why a job waits, in plain words. Slurm prints a reason code ("Priority", "AssocGrpCpuLimit",
 * "ReqNodeNotAvail, UnavailableNodes:b[1-3]") or, for some states, a sentence of its own ("launch
 * failed requeued held"). The codes are Slurm's own (enum job_state_reason and its strings in
 * src/common/job_state_reason.c, 20.11 to 25.x); the words follow the JOB REASON CODES section of
 * squeue(1). A code not listed here is shown as it is, never dropped. Pure: no I/O.
 */

export interface PendingReason {
  /** Slurm's code as printed, for the tooltip ("None" when Slurm gave no reason). */
  code: string;
  /** A few plain words: "Waiting for higher-priority jobs". */
  text: string;
}

const PLAIN: Record<string, string> = {
  None: 'Waiting to be scheduled',
  WaitingForScheduling: 'Waiting to be scheduled',
  Priority: 'Waiting for higher-priority jobs to start first',
  Resources: 'Waiting for nodes, CPUs or memory to become free',
  Dependency: 'Waiting for the jobs it depends on',
  DependencyNeverSatisfied: 'Will never start: a job it depends on did not end as required (cancel it)',
  JobHeldUser: 'Held by you (Release lets it run)',
  JobHeldAdmin: 'Held by an administrator',
  JobHoldMaxRequeue: 'Held: it was requeued too many times',
  BeginTime: 'Waiting for its start time (--begin)',
  Prolog: 'Starting: the node\'s prolog is running',
  Cleaning: 'Requeued: its previous run is still being cleaned up',
  ReqNodeNotAvail: 'A node it needs is not available (down, drained, reserved or in use)',
  NodeDown: 'A node it needs is down',
  Licenses: 'Waiting for a license',
  Reservation: 'Waiting for its reservation to become available',
  ReservationDeleted: 'Its reservation was deleted',
  ReservationInvalid: 'Its reservation is not valid',
  JobArrayTaskLimit: 'Waiting: the array already runs as many tasks at once as its throttle (the %N of --array) allows',
  PartitionNodeLimit: 'Asks for more nodes than the partition allows now (or its nodes are down)',
  PartitionTimeLimit: 'Its time limit is longer than the partition allows',
  PartitionDown: 'The partition is down',
  PartitionInactive: 'The partition is inactive',
  PartitionConfig: 'The partition\'s settings do not allow this job',
  AssociationJobLimit: 'Waiting: your account runs as many jobs as it may',
  AssociationResourceLimit: 'Waiting: your account has reached a resource limit',
  AssociationTimeLimit: 'Waiting: your account has reached its time limit',
  AssocMaxJobsLimit: 'Waiting: your account runs as many jobs as it may',
  AssocMaxSubmitJobLimit: 'Your account has submitted as many jobs as it may',
  QOSJobLimit: 'Waiting: the QOS runs as many jobs as it may',
  QOSResourceLimit: 'Waiting: the QOS has reached a resource limit',
  QOSTimeLimit: 'Waiting: the QOS has reached its time limit',
  QOSUsageThreshold: 'Waiting: the QOS usage threshold is reached',
  QOSNotAllowed: 'The QOS it asks for is not allowed for your account or the partition',
  AccountNotAllowed: 'Your account may not use this partition',
  InvalidAccount: 'Its account is not valid',
  InvalidQOS: 'Its QOS is not valid',
  AccountingPolicy: 'Waiting: an accounting limit is reached',
  MaxMemPerLimit: 'Asks for more memory per CPU or node than allowed',
  BadConstraints: 'Its constraints (--constraint) cannot be met',
  Constraints: 'Its constraints (--constraint) cannot be met',
  SchedDefer: 'Waiting: scheduling is deferred',
  FrontEndDown: 'No front-end node is available',
  BurstBufferResources: 'Waiting for burst buffer space',
  BurstBufferStageIn: 'Waiting for burst buffer stage-in',
  BurstBufferOperation: 'A burst buffer operation failed',
  PowerNotAvail: 'Waiting for power to be available',
  PowerReserved: 'Waiting: power is reserved',
  MaxPoweredUpNodes: 'Waiting: no more nodes may be powered up now',
  FedJobLock: 'Waiting for the federation lock',
  MpiPortsBusy: 'Waiting for free MPI ports',
  NvidiaImexChannels: 'Waiting for NVIDIA IMEX channels',
  // reasons of jobs that ended (squeue shows them briefly, sacct's Reason field)
  NonZeroExitCode: 'Ended with a non-zero exit code',
  RaisedSignal: 'Ended by a signal',
  TimeLimit: 'Reached its time limit',
  OutOfMemory: 'Ran out of memory',
  DeadLine: 'Reached its deadline',
  InactiveLimit: 'Reached the inactivity limit',
  JobLaunchFailure: 'Could not be launched (a missing file or folder, a file system problem)',
  SystemFailure: 'A failure of Slurm, a file system or the network',
};

/** The resource a limit code names ("Cpu", "CPUMinutes", "GRES") in words. */
const RESOURCES: [RegExp, string][] = [
  [/^(Cpu|CPU)RunMin(ute)?s/, 'CPU minutes of running jobs'],
  [/^(Cpu|CPU)Min(ute)?s/, 'CPU minutes'],
  [/^(Cpu|CPU)/, 'CPUs'],
  [/^(Mem|Memory)RunMin(ute)?s/, 'memory minutes of running jobs'],
  [/^(Mem|Memory)Min(ute)?s/, 'memory minutes'],
  [/^(Mem|Memory)/, 'memory'],
  [/^NodeRunMin(ute)?s/, 'node minutes of running jobs'],
  [/^NodeMin(ute)?s/, 'node minutes'],
  [/^Node/, 'nodes'],
  [/^SubmitJobs?/, 'submitted jobs'],
  [/^Jobs?/, 'running jobs'],
  [/^(Wall|WallDuration)/, 'run time'],
  [/^GRES/, 'GPUs or other generic resources'],
  [/^License/, 'licenses'],
  [/^BB/, 'burst buffer'],
  [/^Billing/, 'billing'],
  [/^Energy/, 'energy'],
  [/^Unknown/, 'a resource'],
];

function resource(s: string): string | undefined {
  return RESOURCES.find(([re]) => re.test(s))?.[1];
}

/** The families of limit codes: QOSGrpCpuLimit, AssocMaxWallDurationPerJobLimit, MaxGRESPerAccount, QOSMinMemory... */
function limitWords(code: string): string | undefined {
  let m = /^(QOS|Assoc)Grp(\w+?)(Limit)?$/.exec(code);
  if (m) return `Waiting: ${m[1] === 'QOS' ? 'the QOS' : 'your account'} has reached its group limit on ${resource(m[2]!) ?? m[2]}`;
  m = /^(QOS|Assoc)Max(\w+?)Per(Job|Node)(Limit)?$/.exec(code);
  if (m) return `Asks for more ${resource(m[2]!) ?? m[2]} per ${m[3]!.toLowerCase()} than ${m[1] === 'QOS' ? 'the QOS' : 'your account'} allows`;
  m = /^(?:QOS)?Max(\w+?)PerUser(Limit)?$/.exec(code) ?? /^Max(\w+?)RunMinsPerUser$/.exec(code);
  if (m) return `Waiting: you have reached the QOS's per-user limit on ${resource(m[1]!) ?? m[1]}`;
  m = /^Max(\w+?)(RunMins)?PerAccount$/.exec(code);
  if (m) return `Waiting: your account has reached the QOS's limit on ${resource(m[1]!) ?? m[1]}`;
  m = /^QOSMin(\w+?)(NotSatisfied)?$/.exec(code);
  if (m) return `Asks for less than the QOS's minimum of ${resource(m[1]!) ?? m[1]}`;
  return undefined;
}

/**
 * A pending job's reason as squeue's %R printed it (without the parentheses) or scontrol's Reason=.
 * No reason, or "None", means the scheduler has not looked at the job yet.
 */
export function pendingReason(raw: string | undefined): PendingReason {
  const r = raw?.trim() ?? '';
  if (!r || /^(None|\(null\))$/i.test(r)) return { code: 'None', text: PLAIN.None! };
  // "ReqNodeNotAvail, UnavailableNodes:b[1-3]": the code, then Slurm's detail
  const [head, ...rest] = r.split(',');
  const code = head!.trim();
  const detail = rest.join(',').trim().replace(/^UnavailableNodes:/, 'unavailable: ');
  const words = PLAIN[code] ?? limitWords(code);
  if (words) return { code: r, text: detail ? `${words}; ${detail}` : words };
  // a sentence of Slurm's own ("launch failed requeued held") is plain already
  if (/\s/.test(r)) return { code: r, text: r[0]!.toUpperCase() + r.slice(1) };
  return { code: r, text: r };
}

/** Whether a pending job is held, by its owner or an administrator: what Release applies to. */
export function isHeld(job: { state: string; reason?: string }): boolean {
  return job.state === 'PENDING' && (job.reason === 'JobHeldUser' || job.reason === 'JobHeldAdmin');
}

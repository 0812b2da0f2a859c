/** Every rule, in the order diagnostics are computed. Ids are stable once released. */
import * as apptainerDef from './apptainerDef';
import * as clusterPolicy from './clusterPolicy';
import * as containers from './containers';
import * as cpus from './cpus';
import * as directiveProblems from './directiveProblems';
import * as environment from './environment';
import * as io from './io';
import type { Rule } from './rule';
import * as secrets from './secrets';
import * as shellMistakes from './shellMistakes';
import * as shellRobustness from './shellRobustness';
import * as slurmScript from './slurmScript';
import * as slurmValues from './slurmValues';
import * as steps from './steps';
import * as tensor from './tensor';
import * as tippecanoe from './tippecanoe';

const isRule = (v: unknown): v is Rule => typeof v === 'object' && v !== null && 'id' in v && 'check' in v;

export const RULES: readonly Rule[] = [
  directiveProblems, slurmValues, slurmScript, clusterPolicy, io, tippecanoe, tensor, containers, secrets, shellRobustness, shellMistakes, steps, environment, cpus, apptainerDef,
].flatMap((m) => Object.values(m).filter(isRule));

const byId = new Map(RULES.map((r) => [r.id, r]));

export function ruleById(id: string): Rule | undefined {
  return byId.get(id);
}

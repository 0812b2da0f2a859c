/**
 * A lint rule: a stable id, a default severity, a docs page (problem, why, fix, source), and
 * `check`, which reports findings with an optional mechanical fix. Its examples, which must and
 * must not trigger it, are in examples.ts. Rules are pure: no I/O, no `vscode`.
 */
import type { Profile, Severity } from '../profiles/profiles';
import type { Script, ScriptKind } from '../analysis/script';

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface Finding {
  start: number;
  end: number;
  message: string;
  fix?: Fix;
}

export interface RuleContext {
  script: Script;
  profile: Profile;
  report(finding: Finding): void;
}

export interface Example {
  text: string;
  /** Profile to lint the example with (default: generic). */
  profile?: string;
  kind?: ScriptKind;
}

export interface Rule {
  id: string;
  severity: Severity;
  title: string;
  kinds: readonly ScriptKind[];
  docs: {
    problem: string;
    why: string;
    fix: string;
    /** Where the knowledge comes from: a field report, a man page. */
    source: string;
  };
  check(ctx: RuleContext): void;
}

/** Replaces [start, end) with text. */
export function replace(start: number, end: number, newText: string): TextEdit {
  return { start, end, newText };
}

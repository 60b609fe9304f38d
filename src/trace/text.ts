/**
 * Plain-text traces: numbered steps, each with its action label and only what changed since the previous step
 * (nested changes by path, e.g. `nic.vnics[1].queue = [3]`). Long states stay readable because unchanged
 * variables are never repeated; step 0 lists every variable. A lasso marks where its cycle starts and that it
 * returns to the state of step `loop`, as TLC's "Back to state" does.
 */
import type { PrintableTrace } from './types.js';
import { ABSENT, differences, formatValue } from './values.js';

/** What `formatTextTrace` shows besides each step's changes. */
export interface TextOptions {
  /** Show each step's micro messages (default true). */
  readonly micro?: boolean;
  /** Also show the value before the change (default false). */
  readonly previous?: boolean;
}

/** A numbered text trace: each step's label, its messages, and only the variables that changed (all of them at step 0). */
export function formatTextTrace(trace: PrintableTrace, options: TextOptions = {}): string {
  const showMicro = options.micro ?? true;
  const lines: string[] = [];
  const width = String(Math.max(0, trace.steps.length - 1)).length;
  for (let i = 0; i < trace.steps.length; i++) {
    const step = trace.steps[i]!;
    if (trace.loop !== undefined && i === trace.loop + 1) lines.push(`-- cycle: steps ${i}..${trace.steps.length - 1} repeat forever --`);
    lines.push(`${String(i).padStart(width)}: ${step.label}`);
    if (showMicro && step.micro) for (const m of step.micro) lines.push(`    | ${m.from} -> ${m.to}: ${m.label}`);
    if (i === 0) {
      for (const [name, value] of Object.entries(step.vars)) lines.push(`    ${name} = ${formatValue(value)}`);
      continue;
    }
    const changes = differences(trace.steps[i - 1]!.vars, step.vars);
    if (changes.length === 0) lines.push('    (no change)');
    for (const c of changes) {
      const now = c.after === ABSENT ? '(removed)' : formatValue(c.after);
      lines.push(options.previous ? `    ${c.path} = ${now}  (was ${formatValue(c.before)})` : `    ${c.path} = ${now}`);
    }
  }
  if (trace.loop !== undefined) lines.push(`-- back to the state of step ${trace.loop} --`);
  return lines.join('\n') + '\n';
}

/**
 * Reports of a search, as TLC and SPIN print them. Numbers are formatted by hand: toLocaleString depends on the host
 * locale and would make output vary.
 */
import type { IncompleteReason, Progress, SearchResult } from './types.js';

/** An integer with thousands separators: 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A byte count for people: 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / (1024 * 1024 * 1024)).toFixed(2)} GiB`;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** One TLC/SPIN-style progress line. */
export function formatProgress(p: Progress): string {
  return (
    `Progress(${p.depth}) at ${(p.elapsedMs / 1000).toFixed(1)}s: ${formatCount(p.states)} distinct states, ` +
    `${formatCount(p.queue)} on queue, ${formatCount(p.statesPerSecond)} states/s, memory ${formatBytes(p.memoryBytes)}`
  );
}

/** A probability as TLC prints it: 1.2E-15. */
export function formatProbability(p: number): string {
  if (p === 0) return '0';
  if (p >= 0.01) return p.toPrecision(2);
  const [m, e] = p.toExponential(1).split('e');
  return `${m}E${e}`;
}

const STOPPED_BY: Record<IncompleteReason, string> = {
  'max-states': 'the bound on distinct states',
  'max-depth': 'the bound on depth',
  timeout: 'the time limit',
  interrupted: 'an interruption',
  memory: 'the memory budget',
};

/** What stopped an incomplete search, in words. */
export function stoppedBy(reason: IncompleteReason | undefined): string {
  return reason === undefined ? 'a bound' : STOPPED_BY[reason];
}

/** The final report: verdict first, then the statistics and the 'sometimes' witnesses. */
export function formatSummary(result: SearchResult<unknown, unknown>): string {
  const lines: string[] = [];
  switch (result.verdict) {
    case 'holds':
      lines.push('Model checking completed. No error has been found.');
      break;
    case 'violated':
      lines.push(
        result.message === 'never reached'
          ? `Error: property '${result.property}' (sometimes) was never reached.`
          : `Error: property '${result.property}' is violated: ${result.message}`,
      );
      if (result.trace) lines.push(`Counterexample: ${result.trace.actions.length} steps.`);
      break;
    case 'incomplete':
      lines.push(`Search incomplete (${result.incompleteReason}): stopped by ${stoppedBy(result.incompleteReason)}; no error found in the explored part, nothing is proven.`);
      break;
    case 'error':
      lines.push(`Error: the model raised a specification error: ${result.message}`);
      if (result.trace) lines.push(`Trace to the failing state: ${result.trace.actions.length} steps.`);
      break;
  }
  if (result.fingerprintCollision !== undefined) {
    lines.push(
      'Estimated probability that two distinct states had the same fingerprint (so that states went unchecked):',
      `  calculated (optimistic): ${formatProbability(result.fingerprintCollision)}`,
    );
  }
  // On a stop, TLC also says how much was left to do and how much memory it had taken.
  const queue = result.verdict === 'incomplete' ? `, ${formatCount(result.queue)} states left on queue, memory ${formatBytes(result.memoryBytes)}` : '';
  lines.push(`${formatCount(result.states)} distinct states found, ${formatCount(result.transitions)} transitions, depth ${result.depth}${queue}.`);
  const workers = result.workers > 1 ? ` on ${result.workers} threads` : '';
  lines.push(`Finished in ${result.seconds.toFixed(3)}s (${formatCount(result.statesPerSecond)} states/s${workers}).`);
  for (const [name, ok] of Object.entries(result.witnessed)) {
    const w = result.witnesses[name];
    lines.push(ok ? `sometimes '${name}': witnessed${w ? ` after ${w.actions.length} steps` : ''}` : `sometimes '${name}': not witnessed`);
  }
  return lines.join('\n');
}

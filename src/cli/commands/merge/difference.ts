/** Why two shards do not belong to one job: the first place their descriptions differ, for merge's message. */
import { printable } from '../../../api/safe-text.js';
import { canonicalJson } from '../../../util/canonical-json.js';

/** Where two JSON values first differ: `run.seed is 7 here, 1 there`; undefined when they are equal. */
export function firstDifference(here: unknown, there: unknown, path = ''): string | undefined {
  const bothObjects = here !== null && there !== null && typeof here === 'object' && typeof there === 'object' && Array.isArray(here) === Array.isArray(there);
  const shown = (x: unknown): string => (x === undefined ? 'absent' : printable(canonicalJson(x).slice(0, 60)));
  if (!bothObjects) return canonicalJson(here) === canonicalJson(there) ? undefined : `${path || '(top level)'} is ${shown(here)} here, ${shown(there)} there`;
  const a = here as Record<string, unknown>;
  const b = there as Record<string, unknown>;
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
    const d = firstDifference(a[k], b[k], Array.isArray(here) ? `${path}[${k}]` : path === '' ? k : `${path}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}

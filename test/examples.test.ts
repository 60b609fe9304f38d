/**
 * The examples in examples/ run, and print what their comments promise. They import vnicspec by its package name
 * (mapped to the sources by vitest.config.ts); test/package.test.ts runs their built form against an installed
 * tarball. Every example must be listed here, so none can rot unnoticed.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';

const root = join(import.meta.dirname, '..');

/** What each example's output must contain, in order. */
const EXPECTED: Record<string, readonly (string | RegExp)[]> = {
  'two-phase-commit.ts': [
    'Two-phase commit, 3 resource managers:',
    'Model checking completed. No error has been found.',
    '288 distinct states found, 1,145 transitions, depth 10.',
    "sometimes 'all-commit': witnessed after 10 steps",
    "Error: property 'TCConsistent' is violated: rm2 committed, rm1 aborted",
    'Counterexample: 3 steps.',
    /1: TMCommit\n.*\n.*\n2: RMChooseToAbort\(rm1\)\n.*\n3: RMRcvCommitMsg\(rm2\)/,
  ],
  'custom-scenario.ts': [
    'examples/noisy-neighbour.json, 2 simulated seconds:',
    /xen-idd {2}web: \d+\.\d req\/s answered, [1-9]\d*\.\d% lost/,
    /vnic {5}web: \d+\.\d req\/s answered, 0\.0% lost/,
    'With the flood throttled to 20,000 packets/s:',
    /xen-idd {2}web: \d+\.\d req\/s answered/,
  ],
  'custom-property.ts': [
    'vnic: holds, 5,127 states',
    '  checked: isolation, no-cross-vm-starvation, served-while-flooder-full',
    /served-while-flooder-full: witnessed after \d+ steps/,
    'xen-idd: violated (no-cross-vm-starvation), 262 states',
    '  not applicable here: served-while-flooder-full',
  ],
};

afterEach(() => {
  vi.restoreAllMocks();
});

test('every example is run by this test', () => {
  const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ts')).sort();
  expect(examples).toEqual(Object.keys(EXPECTED).sort());
});

describe.each(Object.entries(EXPECTED))('examples/%s', (file, expected) => {
  test('runs and prints what it says', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    // custom-scenario.ts names its scenario file relative to the repository root, where it is run from.
    const cwd = process.cwd();
    process.chdir(root);
    try {
      await import(join(root, 'examples', file));
    } finally {
      process.chdir(cwd);
    }
    const out = lines.join('\n');
    let from = 0;
    for (const e of expected) {
      const rest = out.slice(from);
      const at = typeof e === 'string' ? rest.indexOf(e) : rest.search(e);
      expect(at, `${file}: expected ${String(e)} after offset ${from} of:\n${out}`).toBeGreaterThanOrEqual(0);
      from += at;
    }
  });
});

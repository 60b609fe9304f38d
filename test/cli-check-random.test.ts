import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneLineError, run, runWith } from './cli-run.js';
import { setUp } from '../src/api/check-setup.js';
import { defaultCheckConfig } from '../spec/checked/config.js';
import { randomSearch } from '../src/explore/random/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vnicspec-random-'));

/** A --json report without its wall-clock part. */
function report(out: string): Record<string, unknown> {
  const r = JSON.parse(out) as Record<string, unknown>;
  delete r['timing'];
  return r;
}

describe('check --random', () => {
  it('finds the xen-idd starvation on 2 VMs, shrinks it to the BFS-shortest 5 steps, and replay re-executes it', async () => {
    const file = join(dir, 'xen.itf.json');
    const r = await run('check', '--random', '--arch', 'xen-idd', '--trace-out', file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Property 'no-cross-vm-starvation' violated/);
    expect(r.out).toMatch(/Counterexample \(5 steps/);
    expect(r.out).toMatch(/Reproduce: vnicspec check --random --arch xen-idd .* --walk \d+/);
    const replayed = await run('replay', file);
    expect(replayed.code).toBe(1);
    expect(replayed.out).toMatch(/Replayed 5 steps/);
  });

  it('finds no violation in the vnic design (exit 0, and says that proves nothing)', async () => {
    const r = await run('check', '--random', '--traces', '300', '--depth', '60', '--no-progress');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/No violation found in 300 walks \(18,000 steps\)/);
    expect(r.out).toMatch(/proves nothing/);
  });

  it('takes 16 VMs × 16 slots', async () => {
    const r = await run('check', '--random', '--vms', '16', '--capacity', '16', '--traces', '2', '--depth', '40', '--json');
    expect(r.code).toBe(0);
    const j = report(r.out);
    expect([j['verdict'], j['traces'], j['steps']]).toEqual(['no-violation-found', 2, 80]);
  });

  it('boots and walks 16 VMs × 16 slots in every architecture, with and without churn, without a specification error', () => {
    for (const arch of ['vnic', 'xen-idd', 'mixed'] as const) {
      for (const churn of [false, true]) {
        const s = setUp(defaultCheckConfig({ arch, vms: 16, capacity: 16, churn }), []);
        const r = randomSearch(s.model, { properties: s.properties, seed: 2, depth: 100, swarm: true, first: 0, end: 4 });
        expect(r.verdict, `${arch}${churn ? ' --churn' : ''}: ${r.message}`).not.toBe('error');
      }
    }
  });

  it('gives the same report for a seed whatever --workers, and shards merge into the unsplit report', async () => {
    const args = ['check', '--random', '--arch', 'xen-idd', '--vms', '3', '--capacity', '3', '--traces', '40', '--depth', '25', '--seed', '5', '--swarm', '--json'];
    const one = await run(...args);
    const two = await run(...args, '--workers', '2');
    expect(one.code).toBe(two.code);
    expect(report(two.out)).toEqual(report(one.out));
    const single = report(one.out);
    expect(single['walk']).toBeGreaterThan(0);

    const files = await Promise.all(
      [3, 1, 2].map(async (i) => {
        const s = await run(...args, '--shard', `${i}/3`);
        const f = join(dir, `shard-${i}.json`);
        writeFileSync(f, s.out);
        return f;
      }),
    );
    const out = join(dir, 'merged');
    const merged = await run('merge', '--out', out, ...files);
    expect(merged.code).toBe(one.code);
    expect(report(readFileSync(join(out, 'random-check.json'), 'utf8'))).toEqual(single);
    const again = await run('replay', join(out, 'counterexample.itf.json'));
    expect(again.code).toBe(1);

    const missing = await run('merge', '--out', out, files[0]!, files[1]!);
    expectOneLineError(missing, { pattern: /missing shard 2\/3/ });
  });

  it('Ctrl-C stops the walks with a report of those done: exit 3', async () => {
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(), 300);
    const r = await runWith({ interrupt: interrupt.signal }, 'check', '--random', '--vms', '8', '--capacity', '8', '--traces', '10000000');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/INCOMPLETE: interrupted after [0-9,]+ walks of 10,000,000; no violation found in them/);
  });

  it('says which mode a flag belongs to, and sends large exhaustive checks to --random', async () => {
    expectOneLineError(await run('check', '--vms', '16'), { pattern: /--vms 16 is beyond exhaustive search .* add --random/ });
    expectOneLineError(await run('check', '--capacity', '12'), { pattern: /--capacity 12 is beyond exhaustive search/ });
    expectOneLineError(await run('check', '--traces', '5'), { pattern: /--traces applies to random search: add --random/ });
    expectOneLineError(await run('check', '--random', '--max-states', '5'), { pattern: /--max-states applies to exhaustive search/ });
    expectOneLineError(await run('check', '--random', '--shard', '4/3'), { pattern: /--shard: must be I\/N/ });
    expectOneLineError(await run('check', '--random', '--vms', '33'), { pattern: /--vms/ });
  });
});

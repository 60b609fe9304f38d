/**
 * The mutant catalogue (spec/mutants/) is the proof that verdicts mean what they say: every planted wrong variant
 * of the design is killed by `check` — by the property the catalogue names — and the specified system passes every
 * one of the same checks. Also: the catalogue covers every machine of the design and every property, mutants are
 * built only by replacing names the machines have, and `vnicspec mutants` reports and exits accordingly.
 */
import { describe, expect, it } from 'vitest';
import { DESIGN_MACHINES, EXHAUSTIVE, mutant, guard } from '../spec/mutants/mutant.js';
import type { VnicContext } from '../spec/vnic.js';
import { MUTANTS } from '../spec/mutants/index.js';
import { PROPERTY_NAMES } from '../src/api/check-setup.js';
import { mutants, SPECIFICATION_ERROR } from '../src/api/mutants.js';
import { expectOneLineError, run } from './cli-run.js';
import { defaultCheckConfig } from '../spec/checked/config.js';

describe('the mutant catalogue', () => {
  it('has at least 15 mutants with unique names, each with a description and a check that should kill it', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(15);
    expect(new Set(MUTANTS.map((m) => m.name)).size).toBe(MUTANTS.length);
    for (const m of MUTANTS) {
      expect(m.description.length, m.name).toBeGreaterThan(40);
      expect(m.kills.length, m.name).toBeGreaterThan(0);
      expect(m.replaces.length, m.name).toBeGreaterThan(0);
    }
  });

  it('covers every machine of the design and every property', () => {
    const replaced = new Set(MUTANTS.flatMap((m) => m.replaces.map((r) => r.machine)));
    expect([...replaced].sort()).toEqual(Object.keys(DESIGN_MACHINES).sort());
    const killers = new Set(MUTANTS.flatMap((m) => m.kills.map((k) => k.killer)));
    for (const p of PROPERTY_NAMES) expect(killers.has(p), p).toBe(true);
  });

  it('a mutant may only replace a guard or an effect the machine has', () => {
    const typo = () => mutant({ name: 'typo', description: '', replace: { vnic: { guards: { partitonFull: guard(() => true) } } }, kills: [] });
    expect(typo).toThrow(/vnic has no guard 'partitonFull'/);
  });

  it('every mutant is killed by check, by the property the catalogue expects; the specified system passes every check used', async () => {
    const r = await mutants();
    expect(r.mutants.map((m) => m.name)).toEqual(MUTANTS.map((m) => m.name));
    expect(r.mutants.map((m) => ({ name: m.name, killed: m.killed, property: m.property }))).toEqual(r.mutants.map((m) => ({ name: m.name, killed: true, property: m.expected })));
    for (const m of r.mutants) if (m.property !== SPECIFICATION_ERROR && m.property?.startsWith('reach-') !== true) expect(m.traceLength, m.name).toBeGreaterThan(0);
    expect(r.reference.filter((x) => !x.passed)).toEqual([]);
    expect(r.reference.length).toBeGreaterThan(1);
    expect(r.ok).toBe(true);
  }, 120_000);
});

describe('a mutant that is the specification in disguise', () => {
  // The specified partition guard, provided again under its own name: the same machine, so no check may kill it.
  const disguised = mutant({
    name: 'same-partition-guard',
    description: 'the specified partition guard, provided again',
    replace: { vnic: { guards: { partitionFull: guard<VnicContext, { type: 'rx.arrive'; packet: { size: number } }>((c, e) => c.used + e.packet.size > c.capacity) } } },
    kills: [{ config: { vms: 1, sizes: [1, 2], roles: ['flooding'] }, search: EXHAUSTIVE, killer: 'qos-admission' }],
  });

  it('survives: not killed, and the report is not ok', async () => {
    const r = await mutants({ catalogue: [disguised] });
    expect(r.mutants.map((m) => [m.name, m.killed, m.property, m.traceLength])).toEqual([['same-partition-guard', false, null, null]]);
    expect(r.reference.map((x) => x.passed)).toEqual([true]);
    expect(r.ok).toBe(false);
  });
});

describe('vnicspec mutants', () => {
  it('--traces prints each killed mutant’s counterexample under the matrix; not with --json', async () => {
    const r = await run('mutants', '--only', 'partition-counts-packets', '--traces');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Counterexample: partition-counts-packets, killed by qos-admission: a 2-byte packet for vm0 was admitted/m);
    expect(r.out).toMatch(/^2: arrive\(vm0, flooding, 2 bytes\)$/m);
    expectOneLineError(await run('mutants', '--traces', '--json'), { pattern: /--traces.*--json|--json.*--traces/ });
  });

  it('--json: the kill matrix for the chosen mutants, exit 0 when all are killed', async () => {
    const r = await run('mutants', '--json', '--only', 'partition-off-by-one,bucket-overfill');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { mutants: Record<string, unknown>[] };
    expect(Object.keys(report)).toEqual(['mutants']);
    for (const m of report.mutants) expect(Object.keys(m)).toEqual(['name', 'description', 'killed', 'property', 'config', 'traceLength', 'seconds']);
    expect(report.mutants.map((m) => [m['name'], m['killed'], m['property'], typeof m['config'], typeof m['traceLength'], typeof m['seconds'], typeof m['description']])).toEqual([
      ['partition-off-by-one', true, 'qos-admission', 'string', 'number', 'number', 'string'],
      ['bucket-overfill', true, 'qos-admission', 'string', 'number', 'number', 'string'],
    ]);
  });

  it('prints the matrix and the specified system on each check', async () => {
    const r = await run('mutants', '--only', 'classify-first-active');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^classify-first-active\s+isolation\s+A\s+1\s/m);
    expect(r.out).toContain('specified system: holds, 5,127 states');
    expect(r.out).toContain('1 of 1 mutants killed.');
  });

  it('--list describes the catalogue without running it', async () => {
    const r = await run('mutants', '--list', '--only', 'teardown-keeps-mapping');
    expect(r.code).toBe(0);
    expect(r.out).toContain('replaces in vnic: effect teardownVnic, effect completeClosing');
    expect(r.out).toContain('killed by isolation: vnicspec check --arch vnic --vms 1');
  });

  /** The arguments of every `vnicspec check …` a report prints, in order. */
  const printedChecks = (out: string): string[][] => [...out.matchAll(/vnicspec check (.+)$/gm)].map((m) => m[1]!.split(' '));

  it('every check --list prints builds the configuration and properties of its kill run (roles, drivers, unknown MACs included)', async () => {
    const listed = printedChecks((await run('mutants', '--list')).out);
    const runs = MUTANTS.flatMap((m) => m.kills);
    expect(listed).toHaveLength(runs.length);
    for (const [i, args] of listed.entries()) {
      const k = runs[i]!;
      // Bounded to its first state (or walk): what is compared is what the command line builds, not the search.
      const bound = k.search.kind === 'random' ? ['--traces', '1', '--depth', '1'] : ['--max-states', '1'];
      const r = await run('check', ...args, ...bound, '--json');
      const report = JSON.parse(r.out) as { config: unknown; properties?: string[] };
      expect(report.config, args.join(' ')).toEqual(defaultCheckConfig(k.config));
      if (k.properties !== undefined && k.search.kind === 'exhaustive') expect(report.properties).toEqual(k.properties);
    }
  });

  it('the checks it prints run as printed: the specified system gets the verdict and states the report gives', async () => {
    const r = await run('mutants', '--only', 'wrr-pointer-resumes-wrong,vnic-accepts-any-writer');
    const checks = printedChecks(r.out);
    const reported = [...r.out.matchAll(/specified system: holds, ([0-9,]+) states/g)].map((m) => Number(m[1]!.replace(/,/g, '')));
    expect(checks.map((c) => c.join(' '))).toEqual([
      '--arch vnic --vms 2 --capacity 2 --dma drr --burst 1 --rx-ring 2 --drivers honest,hostile',
      '--arch vnic --vms 3 --capacity 2 --dma wrr --burst 1 --rx-ring 2 --roles flooding,idle,flooding --no-unknown-traffic',
    ]);
    expect(reported).toHaveLength(2);
    for (const [i, args] of checks.entries()) {
      const again = await run('check', ...args, '--json');
      const report = JSON.parse(again.out) as { verdict: string; states: number };
      expect([again.code, report.verdict, report.states]).toEqual([0, 'holds', reported[i]]);
    }
  });

  it('an unknown mutant is bad input', async () => {
    expectOneLineError(await run('mutants', '--only', 'no-such-bug'), { pattern: /unknown mutant 'no-such-bug' \(known: classify-first-active, / });
  });
});

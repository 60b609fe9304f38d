/**
 * The library as a user sees it: everything is imported through the package name (vitest.config.ts maps it to the
 * entry points' sources; test/package.test.ts runs the same names against an installed tarball). Results are typed
 * values, errors typed exceptions, and nothing is printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { InputError, VnicspecError, check, replay, scenarios, simulate, type ScenarioFile } from 'vnicspec';
import { checkLasso, checkLiveness, formatItf, printable, randomSearch, randomSearchParallel, search, type LivenessProperty, type Model } from 'vnicspec/explore';
import { LIVENESS_NAMES, PROPERTY_NAMES, type CheckedProperty } from 'vnicspec/properties';
import { CheckedModel, buildCheckedSystem, defaultCheckConfig, type VnicContext } from 'vnicspec/spec';
import { ROOT, ensureBuilt } from './built.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vnicspec-api-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Nothing the library does may print: every test runs with stdout and stderr watched.
let writes: string[] = [];
beforeEach(() => {
  writes = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  expect(writes).toEqual([]);
});

/** The InputError a promise rejects with. */
async function inputError(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(InputError);
  expect(e).toBeInstanceOf(VnicspecError);
  expect((e as InputError).exitCode).toBe(2);
  return e as InputError;
}

const XEN_CEX = ['init', 'arrive(vm1, flooding)', 'arrive(vm1, flooding)', 'arrive(vm1, flooding)', 'arrive(vm1, flooding)', 'arrive(vm0, conforming)'];

describe('check', () => {
  test('the default vnic configuration: every property holds on 5,127 states', async () => {
    const r = await check();
    expect(r.verdict).toBe('holds');
    expect(r.states).toBe(5127);
    expect(r.properties).toEqual([...PROPERTY_NAMES, ...LIVENESS_NAMES]);
    expect(r.liveness).toMatchObject({ verdict: 'holds', states: 5127 });
    expect(r.trace).toBeNull();
    expect(r.config).toEqual(defaultCheckConfig());
    expect(r.search).toEqual({ strategy: 'bfs', maxStates: null, maxDepth: null, timeoutSeconds: null, memoryLimitBytes: null, symmetry: false, fingerprint: false });
    expect(r.workers).toBe(1);
    expect(Number.isInteger(r.seconds * 1000)).toBe(true);
  });

  test('xen-idd: the shortest counterexample, as typed trace steps', async () => {
    const r = await check({ arch: 'xen-idd' });
    expect(r.verdict).toBe('violated');
    expect(r.property).toBe('no-cross-vm-starvation');
    expect(r.trace?.map((s) => s.action)).toEqual(XEN_CEX);
    expect(r.trace?.map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('a bound makes it incomplete', async () => {
    const r = await check({ maxStates: 100 });
    expect(r).toMatchObject({ verdict: 'incomplete', incompleteReason: 'max-states', search: { maxStates: 100 } });
    expect(r.queue).toBeGreaterThan(0);
  });

  test('an aborted signal stops it: incomplete, interrupted', async () => {
    const r = await check({ vms: 3, signal: AbortSignal.abort() });
    expect(r).toMatchObject({ verdict: 'incomplete', incompleteReason: 'interrupted' });
  });

  test('properties of your own, next to a built-in one', async () => {
    const flooderNeverFull: CheckedProperty = {
      name: 'flooder-partition-never-full',
      description: "The flooding VM's partition never fills (false: nothing stops a flood).",
      kind: 'always',
      state: (sys) => (s) => {
        const vnic = sys.vnics.map((i) => s.machines[i]!).find((m) => m.value === 'active' && (m.context as VnicContext).vm === sys.vmNames.at(-1));
        const v = vnic?.context as VnicContext | undefined;
        return v !== undefined && v.used >= v.capacity ? `its partition holds ${v.used} of ${v.capacity} packets` : undefined;
      },
      applies: (sys) => sys.vnics.length > 0,
    };
    const r = await check({ properties: ['isolation', flooderNeverFull] });
    expect(r.properties).toEqual(['isolation', 'flooder-partition-never-full']);
    expect(r).toMatchObject({ verdict: 'violated', property: 'flooder-partition-never-full', message: 'its partition holds 2 of 2 packets' });
    expect(r.trace!.map((s) => s.action).filter((a) => a.startsWith('arrive'))).toEqual(['arrive(vm1, flooding)', 'arrive(vm1, flooding)']);
    const xen = await check({ arch: 'xen-idd', capacity: 1, rxRing: 1, properties: ['isolation', flooderNeverFull] });
    expect(xen).toMatchObject({ verdict: 'holds', properties: ['isolation'], notApplicable: ['flooder-partition-never-full'] });
  });

  test('with every VM idle nothing is offered: the buffer-full sanity check does not apply (it is not a violation)', async () => {
    const r = await check({ roles: ['idle', 'idle'], unknownTraffic: false, liveness: false });
    expect(r).toMatchObject({ verdict: 'holds' });
    expect(r.notApplicable).toEqual(expect.arrayContaining(['reach-buffer-full', 'reach-conforming-delivery']));
  });

  test('bad options are InputErrors naming the field, as the command line words them', async () => {
    expect((await inputError(check({ vms: 9 }))).message).toBe('vms: must be an integer from 1 to 4 (got 9)');
    expect((await inputError(check({ dma: 'fifo' as never }))).message).toBe("dma: must be one of strict, wrr, drr (got 'fifo')");
    expect((await inputError(check({ properties: ['isolation', 'liveness'] }))).message).toMatch(/^properties\[1\]: unknown property 'liveness' \(known: isolation, /);
    expect((await inputError(check({ vms: 3, weights: [1, 2] }))).message).toBe('weights: has 2 entries for 3 VMs');
    expect((await inputError(check({ maxStates: 0 }))).message).toBe('maxStates: must be a positive integer (got 0)');
    expect((await inputError(check({ maxstates: 10 } as never))).message).toMatch(/^check: unknown option 'maxstates' \(known: system, arch, /);
  });
});

describe('simulate', () => {
  test('a built-in scenario: a typed report, deterministic', async () => {
    const a = await simulate({ scenario: 'httperf-2vm', durationS: 0.2 });
    const b = await simulate({ scenario: 'httperf-2vm', durationS: 0.2 });
    expect(a).toEqual(b);
    expect(a).toMatchObject({ scenario: 'httperf-2vm', arch: 'vnic', outcome: 'ok', durationS: 0.2 });
    expect(a.vms.map((v) => v.id)).toEqual(['vm1', 'vm2']);
    expect(a.vms[0]!.throughputPerS).toBeGreaterThan(1000);
  });

  test('compare: xen-idd, then vnic', async () => {
    const { comparison } = await simulate({ scenario: 'httperf-2vm', durationS: 0.2, compare: true });
    expect(comparison.map((r) => r.arch)).toEqual(['xen-idd', 'vnic']);
  });

  test('a scenario given as an object, validated field by field', async () => {
    const mine: ScenarioFile = { name: 'mine', vms: [{ name: 'a' }], streams: [{ kind: 'open-loop', vm: 'a', rate: 500 }], durationS: 0.2 };
    const r = await simulate({ scenario: mine });
    expect(r.scenario).toBe('mine');
    expect(r.vms[0]!.completed).toBeGreaterThan(0);
    const bad = { ...mine, streams: [{ kind: 'open-loop', vm: 'a', rate: -1 }] } as ScenarioFile;
    expect((await inputError(simulate({ scenario: bad }))).problems).toEqual([
      'scenario: streams[0].rate: must be a number from 0.000001 to 1000000000 per second (gaps between arrivals from 1 ns, the clock tick, to 10^6 s) (got -1)',
    ]);
    const twice = { ...mine, vms: [{ name: 'a' }, { name: 'a' }], streams: [{ kind: 'open-loop', vm: 'b', rate: 1 }] } as ScenarioFile;
    expect((await inputError(simulate({ scenario: twice }))).problems).toEqual(["scenario: vms[1].name: duplicate VM name 'a'", "scenario: streams[0].vm: no VM named 'b'"]);
  });

  test('a scenario file, and the errors of a missing one', async () => {
    const file = join(dir, 'one.json');
    writeFileSync(file, JSON.stringify({ name: 'one', durationS: 0.1, vms: [{ name: 'x' }], streams: [{ kind: 'flood', target: { vm: 'x' } }] }));
    expect((await simulate({ scenario: file })).vms[0]!.offered).toBeGreaterThan(0);
    expect((await inputError(simulate({ scenario: join(dir, 'none.json') }))).message).toMatch(/^no scenario '.*none\.json': not a built-in/);
    expect((await inputError(simulate({ scenario: 'httperf-2vm', arch: 'vnic', compare: true }))).message).toMatch(/^arch: cannot be combined with compare/);
    expect((await inputError(simulate({ scenario: 'httperf-2vm', seed: -1 }))).message).toBe('seed: must be an integer from 0 to 9007199254740991 (got -1)');
  });

  test('a calibration profile given as an object', async () => {
    const base = await simulate({ scenario: 'single-vm', durationS: 0.2 });
    const calibration = {
      demandsNs: { 'vmm.forward': 10_000, 'vm.driverRx': 90_000, 'vm.app': 2_000_000, 'vm.driverTx': 90_000 },
      nic: { dmaSetupNs: 500, dmaBytesPerNs: 2 },
    };
    const slow = await simulate({ scenario: 'single-vm', durationS: 0.2, calibration });
    expect(slow.vms[0]!.throughputPerS).toBeLessThan(base.vms[0]!.throughputPerS);
    expect((await inputError(simulate({ scenario: 'single-vm', calibration: { ...calibration, nic: { dmaSetupNs: 1 } } as never }))).message).toBe(
      'calibration: nic.dmaBytesPerNs: is required: a number from 0.001 to 1000 bytes per ns (1 MB/s to 1 TB/s; PCIe 6.0 x16 moves 128)',
    );
  });
});

describe('replay', () => {
  function xenCounterexample(): string {
    // The trace a `check --trace-out` would write, built with the public pieces.
    const sys = buildCheckedSystem(defaultCheckConfig({ arch: 'xen-idd' }));
    const model = new CheckedModel(sys, { stepChecks: [] });
    const r = search(model, { strategy: 'bfs', properties: [{ name: 'p', description: '', kind: 'always', check: (s) => (s.env.outstanding[0]! > 0 ? 'x' : undefined) }] });
    return formatItf(printable(model, r.trace!));
  }

  test('a trace without the configuration is refused, naming what is missing', async () => {
    const text = xenCounterexample();
    expect((await inputError(replay({ text }))).message).toMatch(/^trace: an ITF trace, but not one written by 'vnicspec check --trace-out'/);
    expect((await inputError(replay({ text: '{' }))).message).toMatch(/^trace: not an ITF trace: invalid JSON/);
    expect((await inputError(replay(join(dir, 'missing.itf.json')))).message).toMatch(/^cannot read '.*missing\.itf\.json'/);
  });
});

describe('scenarios', () => {
  test('the built-in scenarios, each one simulate() accepts', () => {
    const list = scenarios();
    expect(list.map((s) => s.name)).toEqual(['httperf-2vm', 'flood', 'single-vm', 'netperf-crr', 'mixed-3vm']);
    expect(list[0]).toMatchObject({ name: 'httperf-2vm', arch: 'vnic', cores: 'multi', vms: 2, streams: '2 x open-loop 1200 req/s' });
  });
});

describe('vnicspec/explore on a model of your own', () => {
  test('a counter: four states, and a shortest counterexample', () => {
    const counter: Model<number, 'inc'> = { initial: () => [0], actions: (n) => (n < 3 ? ['inc'] : []), next: (n) => n + 1, key: String, label: (a) => a, vars: (n) => ({ n }) };
    expect(search(counter, { strategy: 'bfs', properties: [] }).states).toBe(4);
    const r = search(counter, { strategy: 'bfs', properties: [{ name: 'small', description: '', kind: 'always', check: (n) => (n < 2 ? undefined : `n = ${n}`) }] });
    expect(r).toMatchObject({ verdict: 'violated', property: 'small', message: 'n = 2' });
    expect(r.trace!.states).toEqual([0, 1, 2]);
  });

  test('random walks: the first failing walk, shrunk to a shortest counterexample', () => {
    const walk: Model<number, 'inc' | 'dec'> = { initial: () => [0], actions: () => ['inc', 'dec'], next: (n, a) => (a === 'inc' ? n + 1 : n - 1), key: String, label: (a) => a, vars: (n) => ({ n }) };
    const below3 = { name: 'below-3', description: '', kind: 'always' as const, check: (n: number) => (n < 3 ? undefined : `n = ${n}`) };
    const options = { seed: 7, depth: 50, swarm: false, first: 0, end: 200, properties: [below3] };
    const r = randomSearch(walk, options);
    expect(r).toMatchObject({ verdict: 'violated', property: 'below-3' });
    expect(r.trace!.actions).toEqual(['inc', 'inc', 'inc']);
    expect(randomSearch(walk, options)).toEqual({ ...r, seconds: expect.any(Number), stepsPerSecond: expect.any(Number), shrinkSeconds: expect.any(Number) });
    expect(randomSearch(walk, { ...options, properties: [] })).toMatchObject({ verdict: 'no-violation-found', traces: 200 });
  });

  test('random walks on worker threads: the same walk is found', async () => {
    ensureBuilt();
    const worker = join(dir, 'walk-worker.mjs');
    const api = pathToFileURL(join(ROOT, 'dist', 'src', 'api', 'explore.js')).href;
    writeFileSync(
      worker,
      `import { walkTaskHandler } from ${JSON.stringify(api)};\n` +
        'export default walkTaskHandler((limit) => ({\n' +
        "  model: { initial: () => [0], actions: () => ['inc', 'dec'], next: (n, a) => (a === 'inc' ? n + 1 : n - 1), key: String, label: (a) => a, vars: (n) => ({ n }) },\n" +
        "  properties: [{ name: 'below', description: '', kind: 'always', check: (n) => (n < limit ? undefined : `n = ${n}`) }],\n" +
        '}));\n',
    );
    const walk: Model<number, 'inc' | 'dec'> = { initial: () => [0], actions: () => ['inc', 'dec'], next: (n, a) => (a === 'inc' ? n + 1 : n - 1), key: String, label: (a) => a, vars: (n) => ({ n }) };
    const properties = [{ name: 'below', description: '', kind: 'always' as const, check: (n: number) => (n < 6 ? undefined : `n = ${n}`) }];
    const options = { seed: 3, depth: 60, swarm: false, first: 0, end: 500, properties };
    const one = randomSearch(walk, options);
    const two = await randomSearchParallel(walk, options, { workers: 2, workerFile: worker, setup: 6, setupKey: 'below-6' });
    expect(one.verdict).toBe('violated');
    expect({ walk: two.walk, traces: two.traces, steps: two.steps, trace: two.trace?.actions }).toEqual({ walk: one.walk, traces: one.traces, steps: one.steps, trace: one.trace?.actions });
  });

  test('liveness under weak fairness: an unfair cycle is no counterexample, a fair one is a lasso', () => {
    // A message is sent, then delivered; meanwhile the environment may idle forever.
    type S = { readonly pending: number; readonly idle: number };
    type A = 'send' | 'deliver' | 'idle';
    const channel = (fair: boolean): Model<S, A> => ({
      initial: () => [{ pending: 0, idle: 0 }],
      actions: (s) => [...(s.pending === 0 ? (['send'] as const) : (['deliver'] as const)), 'idle'],
      next: (s, a) => (a === 'send' ? { ...s, pending: 1 } : a === 'deliver' ? { ...s, pending: 0 } : { ...s, idle: 1 - s.idle }),
      key: (s) => `${s.pending}${s.idle}`,
      label: (a) => a,
      vars: (s) => ({ ...s }),
      ...(fair ? { fairTask: (_s: S, a: A) => (a === 'deliver' ? 0 : -1) } : {}),
    });
    const delivered: LivenessProperty<S> = { name: 'delivered', description: '', kind: 'leads-to', obligations: ['msg'], levels: (s) => [s.pending], violation: () => 'the message is never delivered' };
    expect(checkLiveness(channel(true), [delivered])).toMatchObject({ verdict: 'holds', states: 4 });
    const r = checkLiveness(channel(false), [delivered]);
    expect(r).toMatchObject({ verdict: 'violated', property: 'delivered', obligation: 'msg', message: 'the message is never delivered' });
    expect(r.lasso!.actions.slice(r.lasso!.loop)).toEqual(['idle', 'idle']);
    expect(checkLasso(channel(true), [delivered], r.lasso!)).toMatchObject({ kind: 'unfair' });
    expect(checkLasso(channel(false), [delivered], r.lasso!)).toMatchObject({ kind: 'violated', obligation: 'msg' });
  });
});

/**
 * Exit codes and banners for runs that do not complete, and for internal errors. The real specification does not
 * violate its invariants on the built-in scenarios, so runSimulation is replaced by a stub here.
 */
import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { SimulationOptions, SimulationReport } from '../src/api/run-simulation.js';

const stub = vi.hoisted(() => ({ next: undefined as ((o: SimulationOptions) => SimulationReport) | undefined }));

vi.mock('../src/api/run-simulation.js', () => ({
  runSimulation: (o: SimulationOptions): SimulationReport => {
    if (stub.next === undefined) throw new Error('no stub');
    return stub.next(o);
  },
}));

const { run } = await import('./cli-run.js');

const report = (o: SimulationOptions, outcome: SimulationReport['outcome'], message?: string): SimulationReport => ({
  scenario: o.scenario.name,
  arch: o.arch,
  cores: o.cores,
  seed: o.seed,
  durationS: o.durationS,
  warmupS: o.warmupS ?? 0,
  calibration: 'stub profile.',
  stepper: o.stepper ?? 'compiled',
  outcome,
  ...(message === undefined ? {} : { message }),
  stoppedAtS: 0.25,
  events: 1234,
  vms: [
    {
      id: 'vm1',
      attachment: 'vnic',
      offered: 10,
      admitted: 10,
      rejected: {},
      dropped: 0,
      droppedBy: {},
      delivered: 9,
      completed: 9,
      heldAtEnd: 1,
      throughputPerS: 36,
      deliveredPerS: 36,
      lossFraction: 0,
      latencyMs: { p50: 0.5, p90: 0.8, p99: 0.9, p999: 1, mean: 0.6, max: 1 },
      txDropped: 0,
    },
  ],
  unknownDestination: { offered: 0, rejected: 0, dropped: 0 },
  cpus: [{ id: 'cpu0', runs: ['vmm'], utilisation: 0.1 }],
  steadyState: { batches: 10, ok: true, warnings: [] },
  notes: [],
  notModelled: [],
});

beforeEach(() => {
  stub.next = undefined;
});

describe('outcomes', () => {
  test('violation: INVARIANT VIOLATED, exit 1', async () => {
    stub.next = (o) => report(o, 'violation', 'isolation: DMA of packet 7 for vm1 reached vm2');
    const r = await run('simulate', '--scenario', 'single-vm');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^INVARIANT VIOLATED: isolation: DMA of packet 7 for vm1 reached vm2$/m);
    expect(r.out).toMatch(/stopped at t = 0.25 s of 10 s, after 1234 events/);
    expect(r.out).not.toContain('held throughout');
  });

  test('progress watchdog: NO PROGRESS, exit 1; --watchdog reaches the run (0: off), bad values exit 2', async () => {
    let seen: number | undefined;
    stub.next = (o) => {
      seen = o.watchdogS;
      return report(o, 'violation', 'progress: vm1 holds 3 received packet(s) and none has been delivered or dropped for 1.2 s of simulated time');
    };
    const r = await run('simulate', '--scenario', 'single-vm', '--watchdog', '0.5');
    expect(r.code).toBe(1);
    expect(seen).toBe(0.5);
    expect(r.out).toMatch(/^NO PROGRESS: progress: vm1 holds 3 received packet/m);
    expect(r.out).toMatch(/the progress watchdog fired/);
    expect(r.out).not.toContain('INVARIANT VIOLATED');
    const json = await run('simulate', '--scenario', 'single-vm', '--json');
    expect(json.err).toMatch(/NO PROGRESS: progress: vm1/);
    expect(seen).toBe(1);
    await run('simulate', '--scenario', 'single-vm', '--watchdog', '0');
    expect(seen).toBe(0);
    const bad = await run('simulate', '--scenario', 'single-vm', '--watchdog', '-1');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--watchdog/);
  });

  test('spec error: SPECIFICATION ERROR, exit 1', async () => {
    stub.next = (o) => report(o, 'spec-error', "vmm: no transition for 'x'");
    const r = await run('simulate', '--scenario', 'single-vm');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^SPECIFICATION ERROR: vmm: no transition for 'x'$/m);
    expect(r.out).not.toContain('INVARIANT VIOLATED');
  });

  test('violation with --json: only the JSON on stdout, the reason on stderr, exit 1', async () => {
    stub.next = (o) => report(o, 'violation', 'conservation: vm1: offered 10 ≠ ...');
    const r = await run('simulate', '--scenario', 'single-vm', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ outcome: 'violation' });
    expect(r.err).toContain('INVARIANT VIOLATED: conservation');
  });

  test('--compare with one failing run: banner names the architecture, no takeaway, exit 1', async () => {
    stub.next = (o) => (o.arch === 'xen-idd' ? report(o, 'violation', 'boom') : report(o, 'ok'));
    const r = await run('simulate', '--scenario', 'single-vm', '--compare');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^INVARIANT VIOLATED: boom$/m);
    expect(r.out).toMatch(/^xen-idd: simulation stopped/m);
    expect(r.out).not.toContain('Takeaway');
  });

  test('options reach runSimulation', async () => {
    let seen: SimulationOptions | undefined;
    stub.next = (o) => {
      seen = o;
      return report(o, 'ok');
    };
    const r = await run('simulate', '--scenario', 'flood', '--arch', 'native', '--cores', 'single', '--seed', '42', '--duration', '1.5', '--stepper', 'xstate');
    expect(r.code).toBe(0);
    expect(seen).toMatchObject({ arch: 'native', cores: 'single', seed: 42, durationS: 1.5, stepper: 'xstate' });
    expect(seen?.onProgress).toBeUndefined();
  });

  test('an unexpected exception: one line, exit 70, no stack trace', async () => {
    stub.next = () => {
      throw new TypeError('cannot read properties of undefined');
    };
    const r = await run('simulate', '--scenario', 'single-vm');
    expect(r.code).toBe(70);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^vnicspec: internal error: cannot read properties of undefined\n/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

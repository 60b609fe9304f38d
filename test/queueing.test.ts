/**
 * The simulator against closed-form queueing: one FIFO server fed by Poisson arrivals, its service time drawn
 * from the calibrated distribution. Mean response time (waiting + service) must match
 * - M/M/1: W = S / (1 − ρ);
 * - M/D/1: W = S + ρ·S / (2(1 − ρ));
 * - M/G/1 (lognormal): Pollaczek–Khinchine, W = S + λ·E[S²] / (2(1 − ρ)), E[S²] = S²(1 + cv²);
 * within 2 %. Run lengths are chosen so that 2 % is at least two standard errors of the estimate (the standard
 * error is measured by batch means in the test itself, so a run too short to decide fails rather than passing
 * by luck). The five runs take ~6 s of one core: the waiting times of a queue at ρ = 0.8 are strongly
 * autocorrelated, and M/M/1 needs ~1.5 M jobs for a 1 % standard error.
 */
import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { compileMachine } from '../src/machine/compile.js';
import type { EventObject } from '../src/machine/types.js';
import { Network } from '../src/network/network.js';
import { probe, send, work, type Output } from '../src/network/outputs.js';
import type { ServiceTime } from '../src/sim/service.js';
import { simulate } from '../src/sim/simulator.js';
import { runSimulation } from '../src/api/run-simulation.js';
import { parseCalibration, parseScenario } from '../spec/scenario.js';

const outputs = { out: (_: unknown, _params: Output | readonly Output[]) => {} };

/** Poisson arrivals: on every tick, a job to the server and the next tick after an exponential gap. */
const poissonSource = setup({
  types: { context: {} as { meanGapNs: number }, events: {} as { type: 'TICK'; nowNs: number }, input: {} as { meanGapNs: number } },
  actions: outputs,
}).createMachine({
  id: 'source',
  context: ({ input }) => ({ meanGapNs: input.meanGapNs }),
  initial: 'on',
  states: { on: {} },
  on: {
    TICK: {
      actions: {
        type: 'out',
        params: ({ context, event }) => [send('server', { type: 'JOB', bornNs: event.nowNs }), send('source', { type: 'TICK', nowNs: 0 }, { exponentialMeanNs: context.meanGapNs })],
      },
    },
  },
});

/** A FIFO server: the core queues the work in arrival order; each completion reports the job's birth time. */
const fifoServer = setup({
  types: { context: {} as { done: number }, events: {} as { type: 'JOB'; bornNs: number } | { type: 'DONE'; bornNs: number } },
  actions: outputs,
}).createMachine({
  id: 'server',
  context: { done: 0 },
  initial: 'serving',
  states: { serving: {} },
  on: {
    JOB: { actions: { type: 'out', params: ({ event }) => work('svc', { type: 'DONE', bornNs: event.bornNs }) } },
    DONE: { actions: [assign({ done: ({ context }) => context.done + 1 }), { type: 'out', params: ({ event }) => probe('done', { bornNs: event.bornNs }) }] },
  },
});

interface Measured {
  readonly mean: number;
  /** Standard error of the mean from 20 batch means (the response times of a queue are autocorrelated). */
  readonly stdErr: number;
  readonly n: number;
}

function run(service: ServiceTime, rho: number, jobs: number, seed: number): Measured {
  const meanS = typeof service === 'number' ? service : service.meanNs;
  const network = new Network([
    { id: 'source', stepper: compileMachine<unknown, EventObject, unknown>(poissonSource), input: { meanGapNs: meanS / rho } },
    { id: 'server', stepper: compileMachine<unknown, EventObject, unknown>(fifoServer), input: undefined },
  ]);
  const warmup = Math.round(jobs / 50);
  const batches = 20;
  const perBatch = Math.floor((jobs - warmup) / batches);
  const sums = new Float64Array(batches);
  let k = 0;
  simulate({
    network,
    cores: ['cpu'],
    pinning: [undefined, 0],
    demandNs: () => service,
    seed,
    // Enough time for `jobs` arrivals and then some; counting stops at `jobs`.
    durationNs: (jobs * meanS) / rho + 1000 * meanS,
    kicks: [{ atNs: 0, to: 0, event: { type: 'TICK', nowNs: 0 } as EventObject }],
    onProbe: (t, p) => {
      const i = k++ - warmup;
      if (i < 0 || i >= perBatch * batches) return;
      sums[Math.floor(i / perBatch)]! += t - (p.data as { bornNs: number }).bornNs;
    },
  });
  const means = Array.from(sums, (x) => x / perBatch);
  const mean = means.reduce((a, b) => a + b, 0) / batches;
  const variance = means.reduce((a, b) => a + (b - mean) ** 2, 0) / (batches - 1);
  return { mean, stdErr: Math.sqrt(variance / batches), n: perBatch * batches };
}

const S = 100_000; // 100 µs mean service

const cases: { name: string; service: ServiceTime; rho: number; jobs: number; exact: number }[] = [
  { name: 'M/M/1', service: { distribution: 'exponential', meanNs: S }, rho: 0.5, jobs: 400_000, exact: S / (1 - 0.5) },
  { name: 'M/M/1', service: { distribution: 'exponential', meanNs: S }, rho: 0.8, jobs: 1_500_000, exact: S / (1 - 0.8) },
  { name: 'M/D/1', service: S, rho: 0.5, jobs: 200_000, exact: S + (0.5 * S) / (2 * (1 - 0.5)) },
  { name: 'M/D/1', service: S, rho: 0.8, jobs: 600_000, exact: S + (0.8 * S) / (2 * (1 - 0.8)) },
  { name: 'M/G/1 lognormal cv 0.5', service: { distribution: 'lognormal', meanNs: S, cv: 0.5 }, rho: 0.8, jobs: 600_000, exact: S + (0.8 * S * (1 + 0.25)) / (2 * (1 - 0.8)) },
];

describe('single FIFO server vs closed form: mean response time within 2 %', () => {
  for (const c of cases) {
    it(`${c.name} at utilisation ${c.rho}`, () => {
      const m = run(c.service, c.rho, c.jobs, 1);
      const err = (m.mean - c.exact) / c.exact;
      expect(Math.abs(err), `mean ${m.mean.toFixed(0)} ns vs ${c.exact.toFixed(0)} ns; std error ${((100 * m.stdErr) / c.exact).toFixed(2)} %`).toBeLessThan(0.02);
      // The run must be long enough for 2 % to mean something: at least 2 standard errors.
      expect(2 * m.stdErr).toBeLessThan(0.02 * c.exact);
    });
  }
});

describe('the whole specification as a single server: M/M/1 through NIC, driver and server machines', () => {
  it('native OS, Poisson requests, an exponential server (1 ms), utilisation 0.5: mean response within 2 % of 2 ms', () => {
    // DMA and wire made negligible (< 0.1 µs per request), so the OS's core is the only server on the path.
    const scenario = parseScenario(
      {
        name: 'mm1',
        arch: 'native',
        cores: 'single',
        durationS: 500,
        nic: { linkGbps: 1600 },
        vms: [{ name: 'server', replyBytes: 64 }],
        streams: [{ kind: 'open-loop', vm: 'server', rate: 500, arrivals: 'poisson', requestBytes: 64 }],
      },
      'mm1',
    );
    const calibration = parseCalibration(
      { demandsNs: { 'native.driverRx': 0, 'native.app': { meanNs: 1_000_000, distribution: 'exponential' }, 'native.driverTx': 0 }, nic: { dmaSetupNs: 0, dmaBytesPerNs: 1000 } },
      'cal',
    );
    if (!scenario.ok || !calibration.ok) throw new Error('bad fixture');
    const r = runSimulation({ scenario: scenario.value, calibration: calibration.value, arch: 'native', cores: 'single', seed: 1, durationS: 500, warmupS: 10, monitorEvery: 1 << 16 });
    const v = r.vms[0]!;
    // ~245,000 requests: the engine-level M/M/1 runs above put the standard error near 0.9 % at this length.
    expect(v.completed).toBeGreaterThan(240_000);
    expect(Math.abs(v.latencyMs.mean! - 2) / 2).toBeLessThan(0.02);
    expect(Math.abs(r.cpus[0]!.utilisation - 0.5)).toBeLessThan(0.01);
  });
});

/**
 * @xstate/graph versus our explorer on one machine: the reachable states of one vNIC machine (spec/vnic.ts) alone
 * under a small fixed event alphabet — set up, packets of 1 and 2 bytes for its MAC, a DMA grant and completion, a
 * transmit post by its owner and its completion, the owner unmasking its interrupt, a clock tick, teardown, and
 * rx.refill by its owner (offered only while the vNIC has fewer credits than its ring: this bounds the context) —
 * with a partition of `capacity` bytes, a bucket of burst 2 refilled by the tick, a ring of `ring` descriptors.
 *
 * @xstate/graph: `getAdjacencyMap(vnicMachine, { input, events })` with its default state serialisation
 * (`JSON.stringify({ value, context })`). Ours: `search` over a Model adapter on `compileMachine(vnicMachine)` with
 * the same alphabet, keyed the same way for the timed run. Both must find the same states: an untimed run keys ours
 * by canonical JSON (sorted keys) and the two state sets are compared exactly in canonical JSON; any difference, or a
 * different count between the plain and the canonical keying, is reported as an ERROR row.
 */
import { getAdjacencyMap } from '@xstate/graph';
import { compileMachine, type MachineState } from '../src/machine/index.js';
import { search, type Model } from '../src/explore/index.js';
import type { VnicInput } from '../spec/nic-vnic.js';
import type { Packet } from '../spec/packet.js';
import { vnicMachine, type VnicContext, type VnicEvent } from '../spec/vnic.js';
import { canonicalJson } from '../src/util/canonical-json.js';
import { row, secondsSince, type BenchContext, type Row } from './report.js';

const SECTION = '4. @xstate/graph vs our explorer (one vNIC machine alone)';
/** @xstate/graph gets at most this long per configuration (its expected time is extrapolated before running it). */
const GRAPH_BUDGET_S = 20;

export interface GraphConfig {
  readonly capacity: number;
  readonly ring: number;
}

const label = (c: GraphConfig): string => `partition of ${c.capacity} bytes, ring of ${c.ring}`;

const INPUT: VnicInput = { slot: 0 };

/** The event alphabet: fixed events, plus the refill only where it keeps the context bounded. */
export function alphabet(c: GraphConfig): (s: { value: unknown; context: VnicContext }) => VnicEvent[] {
  const packet = (size: number): Packet => ({ id: 0, dst: 1, src: 0, size, bornNs: 0, kind: 'request', stream: 0 });
  const fixed: VnicEvent[] = [
    { type: 'vnic.setup', slot: 0, vm: 'vm0', macs: [1], vector: 0, qos: { rate: 1, burst: 2, capacity: c.capacity, priority: 0, weight: 1 }, rxRing: c.ring, txRing: 1 },
    { type: 'rx.arrive', packet: packet(1), nowNs: 0 },
    { type: 'rx.arrive', packet: packet(2), nowNs: 0 },
    { type: 'dma.grant' },
    { type: 'dma.complete' },
    { type: 'tx.post', slot: 0, from: 'vm0', packet: { ...packet(1), kind: 'reply' } },
    { type: 'tx.complete' },
    { type: 'irq.unmask', slot: 0, from: 'vm0' },
    { type: 'clock.tick', dtNs: 1e9 },
    { type: 'vnic.teardown', slot: 0 },
  ];
  const refill: VnicEvent = { type: 'rx.refill', slot: 0, from: 'vm0', count: 1, unmask: true };
  return (s) => (s.value === 'active' && s.context.rxCredits < c.ring ? [...fixed, refill] : fixed);
}

const stateKey = (value: unknown, context: unknown): string => canonicalJson({ value, context });

interface Side {
  readonly states: number;
  readonly seconds: number;
  readonly keys: Set<string>;
  /** @xstate/graph was stopped at its deadline (`states` is then the number of states it had expanded). */
  readonly aborted?: boolean;
}

class Deadline extends Error {}

function runGraph(c: GraphConfig, budgetS: number): Side {
  const events = alphabet(c);
  const t0 = performance.now();
  const deadline = t0 + budgetS * 1000;
  let expanded = 0;
  try {
    // getAdjacencyMap cannot be interrupted; the events callback (called once per state it expands) stops it.
    const adj = getAdjacencyMap(vnicMachine, {
      input: INPUT,
      events: (snapshot) => {
        if (++expanded % 256 === 0 && performance.now() > deadline) throw new Deadline();
        return events(snapshot);
      },
    });
    const seconds = secondsSince(t0);
    const keys = new Set<string>();
    for (const v of Object.values(adj)) keys.add(stateKey(v.state.value, v.state.context));
    return { states: Object.keys(adj).length, seconds, keys };
  } catch (e) {
    if (!(e instanceof Deadline)) throw e;
    return { states: expanded, seconds: secondsSince(t0), keys: new Set(), aborted: true };
  }
}

function runOurs(c: GraphConfig, collect: boolean): Side {
  const stepper = compileMachine<VnicContext, VnicEvent, VnicInput>(vnicMachine);
  const events = alphabet(c);
  const input = INPUT;
  const keys = new Set<string>();
  // Timed runs key states exactly as @xstate/graph does by default (JSON.stringify({ value, context })), so the two
  // rates compare the engines, not the encoders; the collecting run keys them by canonical JSON and the benchmark
  // checks that both keyings give the same number of states (the plain text is canonical for these records).
  const model: Model<MachineState<VnicContext>, VnicEvent> = {
    initial: () => [stepper.initial(input).state],
    actions: (s) => events(s),
    next: (s, e) => stepper.step(s, e)?.state ?? s,
    key: (s) => {
      if (!collect) return JSON.stringify({ value: s.value, context: s.context });
      const k = stateKey(s.value, s.context);
      keys.add(k);
      return k;
    },
    label: (e) => e.type,
    vars: (s) => ({ value: s.value, context: s.context }),
  };
  const t0 = performance.now();
  const r = search(model, { strategy: 'bfs', properties: [] });
  const seconds = secondsSince(t0);
  if (r.verdict !== 'holds') throw new Error(`explorer on the vNIC machine: ${r.verdict} ${r.message ?? ''}`);
  return { states: r.states, seconds, keys };
}

export function benchGraph(ctx: BenchContext): Row[] {
  const rows: Row[] = [];
  const ladder: GraphConfig[] = ctx.quick
    ? [{ capacity: 4, ring: 4 }]
    : [
        { capacity: 4, ring: 4 },
        { capacity: 8, ring: 8 },
        { capacity: 12, ring: 12 },
        { capacity: 16, ring: 16 },
      ];
  /** @xstate/graph's runs so far (states, seconds), to predict the next one. */
  const done: { states: number; seconds: number }[] = [];
  for (const c of ladder) {
    ctx.log(`graph: ${label(c)}: our explorer`);
    if (c === ladder[0]) runOurs(c, false); // warm-up (JIT) on the smallest space, not timed
    const ours = runOurs(c, false);
    const oursRate = ours.states / ours.seconds;
    const last = done[done.length - 1];
    const before = done[done.length - 2];
    let expected = 0;
    if (last !== undefined) {
      // Its time grows faster than its state count (the traversal queue is an array drained with shift()):
      // extrapolate with the exponent seen between the last two configurations (at least 1).
      const exponent = before !== undefined ? Math.max(1, Math.log(last.seconds / before.seconds) / Math.log(last.states / before.states)) : 1;
      expected = last.seconds * (ours.states / last.states) ** exponent;
    }
    if (last !== undefined && expected > GRAPH_BUDGET_S) {
      rows.push(
        row(SECTION, {
          what: `${label(c)}: @xstate/graph`,
          value: null,
          unit: 'states/s',
          verdict: 'SKIP',
          note: `not run: ~${expected.toFixed(0)} s expected for ${ours.states.toLocaleString('en-US')} states, extrapolated from its previous runs (budget ${GRAPH_BUDGET_S} s); the largest configuration it finished is the previous one`,
        }),
      );
      rows.push(
        row(SECTION, {
          what: `${label(c)}: our explorer (compiled stepper, JSON keys)`,
          value: oursRate,
          unit: 'states/s',
          reference: { value: last.states / last.seconds, direction: 'at-least', label: '@xstate/graph, previous config' },
          note: `${ours.states.toLocaleString('en-US')} states in ${ours.seconds.toFixed(2)} s`,
        }),
      );
      break;
    }
    ctx.log(`graph: ${label(c)}: @xstate/graph getAdjacencyMap (at most ${GRAPH_BUDGET_S} s)`);
    const graph = runGraph(c, GRAPH_BUDGET_S);
    if (graph.aborted) {
      rows.push(
        row(SECTION, {
          what: `${label(c)}: @xstate/graph`,
          value: null,
          unit: 'states/s',
          verdict: 'SKIP',
          note: `stopped after ${graph.seconds.toFixed(1)} s with ${graph.states.toLocaleString('en-US')} of ${ours.states.toLocaleString('en-US')} states expanded; the largest configuration it finished is the previous one`,
        }),
      );
      rows.push(row(SECTION, { what: `${label(c)}: our explorer (compiled stepper, JSON keys)`, value: oursRate, unit: 'states/s', note: `${ours.states.toLocaleString('en-US')} states in ${ours.seconds.toFixed(2)} s` }));
      break;
    }
    done.push({ states: graph.states, seconds: graph.seconds });
    const graphRate = graph.states / graph.seconds;
    // The exact comparison of the two state sets (untimed run that collects our keys).
    const mine = runOurs(c, true).keys;
    const onlyGraph = [...graph.keys].filter((k) => !mine.has(k));
    const onlyOurs = [...mine].filter((k) => !graph.keys.has(k));
    const agree = graph.states === ours.states && mine.size === ours.states && onlyGraph.length === 0 && onlyOurs.length === 0;
    rows.push(
      row(SECTION, {
        what: `${label(c)}: states found (ours = @xstate/graph?)`,
        value: ours.states,
        unit: 'states',
        ...(agree ? {} : { verdict: 'ERROR' as const }),
        note: agree
          ? `both find ${ours.states.toLocaleString('en-US')} states; the state sets are identical (compared as canonical JSON)`
          : `MISMATCH: ours ${ours.states} (${mine.size} distinct canonically), @xstate/graph ${graph.states} (${graph.keys.size} distinct canonically); only in @xstate/graph: ${onlyGraph.length}, only ours: ${onlyOurs.length}; e.g. ${(onlyGraph[0] ?? onlyOurs[0] ?? '').slice(0, 300)}`,
      }),
    );
    rows.push(row(SECTION, { what: `${label(c)}: @xstate/graph getAdjacencyMap`, value: graphRate, unit: 'states/s', note: `${graph.states.toLocaleString('en-US')} states in ${graph.seconds.toFixed(2)} s` }));
    rows.push(
      row(SECTION, {
        what: `${label(c)}: our explorer (compiled stepper, JSON keys)`,
        value: oursRate,
        unit: 'states/s',
        reference: { value: graphRate, direction: 'at-least', label: '@xstate/graph' },
        note: `${ours.states.toLocaleString('en-US')} states in ${ours.seconds.toFixed(3)} s`,
      }),
    );
  }
  return rows;
}

/**
 * The 2-worker "JS limit": the smallest parallel breadth-first search of vnic.pml's state space that we could write,
 * as the reference for what two JavaScript threads on this machine can gain over one (issue 11's target 2: two
 * workers ≥ 1.6 × one). It shares the transcribed model with bench/js-limit.ts (`pmlModel`) and nothing with
 * vnicspec.
 *
 * It is an optimistic bound, not a design to copy: every thread claims new states straight into one shared
 * open-addressing table (compare-and-swap on a slot's id word, then the key words, then the id), ids come from a
 * shared counter in claim order, so ids and the parent kept for a state depend on thread timing (vnicspec's search
 * must give the same ids for any number of workers); the table and the per-id arrays are allocated up front for the
 * configuration's size, so nothing grows; levels end at a barrier, so depths are BFS depths. The same program with
 * one thread is the baseline of its speed-up, so the two runs differ only in the number of threads.
 *
 *   node dist/bench/js-limit-parallel.js [VMS] [CAPACITY] [THREADS] [--free]     # default 3 3 2, deterministic
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { compiledModuleUrl } from '../src/explore/parallel/urls.js';
import { pmlModel, witnessDigest } from './js-limit.js';

export interface JsLimitParallelResult {
  readonly threads: number;
  readonly deterministic: boolean;
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  /** Wall seconds of the search (threads started before the clock: their start-up is not counted). */
  readonly seconds: number;
  /** CPU seconds of the whole process over the search (all threads). */
  readonly cpuSeconds: number;
  /** A digest of every state's (parent, action) by id: equal to the one-thread JS limit's when deterministic. */
  readonly witnesses: number;
}

/** Control words shared by the threads. */
const COUNT = 0, CURSOR = 1, START = 2, END = 3, ARRIVED = 4, GENERATION = 5, DONE = 6, DEPTH = 7, BAD = 8, GO = 9;
const CONTROL = 10;
/** Frontier states a thread takes at a time. */
const CHUNK = 256;
/**
 * A slot's id word: 0 empty, BUSY while its key is written, id + 1 once numbered, and in the deterministic mode,
 * during the level that found the state, −(code + 2) with code = parent · ACTIONS + action of its first witness.
 */
const BUSY = -1;

interface Shared {
  readonly vms: number;
  readonly capacity: number;
  readonly threads: number;
  readonly deterministic: boolean;
  readonly slotsLog2: number;
  readonly maxStates: number;
  readonly control: SharedArrayBuffer;
  readonly table: SharedArrayBuffer;
  readonly states: SharedArrayBuffer;
  readonly parent: SharedArrayBuffer;
  readonly action: SharedArrayBuffer;
  /** Deterministic mode: per state, the bits of the actions whose successors it found first; then its first child's id. */
  readonly bits: SharedArrayBuffer;
  readonly first: SharedArrayBuffer;
  readonly transitions: SharedArrayBuffer;
}

const popcount = (x: number): number => {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
};

/** One thread's part: expand chunks of each level, claim new states, meet the others at the level's end. */
function run(sh: Shared, index: number): void {
  const { K, ACTIONS, t, init, step, invariantsHold } = pmlModel(sh.vms, sh.capacity);
  const ctl = new Int32Array(sh.control);
  const table = new Int32Array(sh.table);
  const states = new Int32Array(sh.states);
  const parent = new Int32Array(sh.parent);
  const action = new Uint8Array(sh.action);
  const bits = new Int32Array(sh.bits);
  const first = new Int32Array(sh.first);
  const S = K + 1;
  const mask = (1 << sh.slotsLog2) - 1;
  let claimed = new Int32Array(1 << 12); // deterministic mode: the slots this thread claimed in this level
  let nClaimed = 0;
  const hash = (): number => {
    let h = 0x9e3779b9 | 0;
    for (let i = 0; i < K; i++) {
      h = Math.imul(h ^ t[i]!, 0x85ebca6b);
      h ^= h >>> 13;
    }
    h = Math.imul(h, 0xc2b2ae35);
    return h ^ (h >>> 16);
  };
  /** Writes the state `t` found from `from` by `a` under `id`. */
  const keep = (id: number, from: number, a: number): void => {
    if (id >= sh.maxStates) throw new Error('js-limit-parallel: more states than allocated for');
    for (let i = 0; i < K; i++) states[id * K + i] = t[i]!;
    parent[id] = from;
    action[id] = a;
  };
  /** Adds `t` unless present (claiming its slot); true when this thread added it. */
  const insert = (from: number, a: number): boolean => {
    let j = hash() & mask;
    const code = -(from * ACTIONS + a + 2);
    for (;;) {
      const at = j * S;
      let idw = Atomics.load(table, at + K);
      if (idw === 0) {
        if (Atomics.compareExchange(table, at + K, 0, BUSY) === 0) {
          for (let i = 0; i < K; i++) table[at + i] = t[i]!;
          if (sh.deterministic) {
            if (nClaimed === claimed.length) claimed = grown(claimed);
            claimed[nClaimed++] = j;
            Atomics.store(table, at + K, code);
          } else {
            const id = Atomics.add(ctl, COUNT, 1);
            keep(id, from, a);
            Atomics.store(table, at + K, id + 1);
          }
          return true;
        }
        idw = Atomics.load(table, at + K);
      }
      while (idw === BUSY) idw = Atomics.load(table, at + K);
      let same = true;
      for (let i = 0; i < K; i++) if (table[at + i] !== t[i]) { same = false; break; }
      if (same) {
        // Found again in the level that found it: the smaller (parent, action) is the witness, whatever the timing.
        while (idw < BUSY && idw < code && Atomics.compareExchange(table, at + K, idw, code) !== idw) idw = Atomics.load(table, at + K);
        return false;
      }
      j = (j + 1) & mask;
    }
  };
  /** Deterministic mode, after a level's expansion: each claimed state's witness marks its action in its parent. */
  const mark = (): void => {
    for (let c = 0; c < nClaimed; c++) {
      const code = -Atomics.load(table, claimed[c]! * S + K) - 2;
      const p = (code / ACTIONS) | 0;
      Atomics.or(bits, p, 1 << (code - p * ACTIONS));
    }
  };
  /** Then: ids in (parent, action) order, as the one-thread search gives them. */
  const numberClaims = (): void => {
    for (let c = 0; c < nClaimed; c++) {
      const at = claimed[c]! * S;
      const code = -table[at + K]! - 2;
      const p = (code / ACTIONS) | 0;
      const a = code - p * ACTIONS;
      const id = first[p]! + popcount(bits[p]! & ((1 << a) - 1));
      for (let i = 0; i < K; i++) t[i] = table[at + i]!;
      keep(id, p, a);
      table[at + K] = id + 1;
    }
    nClaimed = 0;
  };
  if (index === 0) {
    init();
    insert(-1, 0);
    if (sh.deterministic) {
      keep(0, -1, 0);
      table[claimed[0]! * S + K] = 1;
      nClaimed = 0;
      Atomics.store(ctl, COUNT, 1);
    }
    Atomics.store(ctl, END, 1); // level 0 is [0, 1)
  } else {
    while (Atomics.load(ctl, END) === 0);
  }
  let transitions = 0;
  let generation = 0;
  while (Atomics.load(ctl, DONE) === 0) {
    const end = Atomics.load(ctl, END);
    for (let c = Atomics.add(ctl, CURSOR, CHUNK); c < end; c = Atomics.add(ctl, CURSOR, CHUNK)) {
      const last = Math.min(c + CHUNK, end);
      for (let id = c; id < last; id++) {
        for (let a = 0; a < ACTIONS; a++) {
          for (let i = 0; i < K; i++) t[i] = states[id * K + i]!;
          if (!step(a)) continue;
          transitions++;
          if (insert(id, a) && !invariantsHold()) Atomics.add(ctl, BAD, 1);
        }
      }
    }
    if (sh.deterministic) {
      barrier(() => {});
      mark();
      barrier(firstIds);
      numberClaims();
    }
    barrier(nextLevel);
  }
  new Float64Array(sh.transitions)[index] = transitions;

  /** The last thread at the barrier after `mark`: each frontier state's first child id (one pass, serial). */
  function firstIds(): void {
    let next = Atomics.load(ctl, END);
    for (let p = Atomics.load(ctl, START); p < Atomics.load(ctl, END); p++) {
      first[p] = next;
      next += popcount(bits[p]!);
    }
    Atomics.store(ctl, COUNT, next);
  }
  /** The last thread at a level's end: the next level is the states found in this one. */
  function nextLevel(): void {
    const end = Atomics.load(ctl, END);
    const count = Atomics.load(ctl, COUNT);
    if (count === end) Atomics.store(ctl, DONE, 1);
    else Atomics.add(ctl, DEPTH, 1);
    Atomics.store(ctl, START, end);
    Atomics.store(ctl, CURSOR, end);
    Atomics.store(ctl, END, count);
  }
  /** Sense-reversing barrier; the last thread to arrive runs `last` before releasing the others. */
  function barrier(last: () => void): void {
    if (Atomics.add(ctl, ARRIVED, 1) === sh.threads - 1) {
      Atomics.store(ctl, ARRIVED, 0);
      last();
      Atomics.add(ctl, GENERATION, 1);
      Atomics.notify(ctl, GENERATION);
    } else {
      while (Atomics.load(ctl, GENERATION) === generation) Atomics.wait(ctl, GENERATION, generation, 50);
    }
    generation++;
  }
}

const grown = (xs: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
  const bigger = new Int32Array(xs.length * 2);
  bigger.set(xs);
  return bigger;
};

/** Runs the search on `threads` worker threads (the main thread only waits). */
export async function jsLimitParallel(vms = 3, capacity = 3, threads = 2, deterministic = true, maxStatesLog2 = 22): Promise<JsLimitParallelResult> {
  const K = pmlModel(vms, capacity).K;
  // The default fits 3 × 3 (3,148,586 states) at a load of 3/8 in the table; bigger configurations are not this
  // spike's job (an insert past `maxStates` throws).
  const slotsLog2 = maxStatesLog2 + 1;
  const maxStates = 1 << maxStatesLog2;
  const sh: Shared = {
    vms, capacity, threads, deterministic, slotsLog2, maxStates,
    control: new SharedArrayBuffer(CONTROL * 4),
    table: new SharedArrayBuffer((1 << slotsLog2) * (K + 1) * 4),
    states: new SharedArrayBuffer(maxStates * K * 4),
    parent: new SharedArrayBuffer(maxStates * 4),
    action: new SharedArrayBuffer(maxStates),
    bits: new SharedArrayBuffer(deterministic ? maxStates * 4 : 4),
    first: new SharedArrayBuffer(deterministic ? maxStates * 4 : 4),
    transitions: new SharedArrayBuffer(threads * 8),
  };
  const ctl = new Int32Array(sh.control);
  const workers = Array.from({ length: threads }, (_, index) => new Worker(new URL(compiledModuleUrl(import.meta.url)), { workerData: { sh, index } }));
  const ready = workers.map((w) => new Promise<void>((resolve) => w.once('message', () => resolve())));
  await Promise.all(ready);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const done = workers.map((w) => new Promise<void>((resolve, reject) => {
    w.once('error', reject);
    w.once('exit', () => resolve());
  }));
  Atomics.store(ctl, GO, 1);
  Atomics.notify(ctl, GO);
  await Promise.all(done);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (Atomics.load(ctl, BAD) !== 0) throw new Error('js-limit-parallel: an assertion failed');
  const transitions = new Float64Array(sh.transitions).reduce((a, b) => a + b, 0);
  const states = Atomics.load(ctl, COUNT);
  const witnesses = witnessDigest(new Int32Array(sh.parent), new Uint8Array(sh.action), states);
  return { threads, deterministic, states, transitions, depth: Atomics.load(ctl, DEPTH), seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, witnesses };
}

if (!isMainThread && parentPort && (workerData as { sh?: Shared }).sh) {
  const { sh, index } = workerData as { sh: Shared; index: number };
  const ctl = new Int32Array(sh.control);
  parentPort.postMessage('ready');
  while (Atomics.load(ctl, GO) === 0) Atomics.wait(ctl, GO, 0, 50);
  run(sh, index);
} else if (isMainThread && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [vms, capacity, threads] = [2, 3, 4].map((i, k) => Number(process.argv[i] ?? [3, 3, 2][k]));
  const r = await jsLimitParallel(vms, capacity, threads, !process.argv.includes('--free'));
  process.stdout.write(
    `js-limit-parallel ${vms} VMs × ${capacity} slots, ${r.threads} threads, ${r.deterministic ? 'deterministic' : 'free'}: ${r.states.toLocaleString('en')} states, ` +
      `${r.transitions.toLocaleString('en')} transitions, depth ${r.depth}, ${r.seconds.toFixed(2)} s, CPU ${r.cpuSeconds.toFixed(2)} s\n`,
  );
}

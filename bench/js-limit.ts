/**
 * The "JS limit": a stand-alone breadth-first search of exactly the state space of `bench/spin/vnic.pml`, written by
 * hand for speed, as the reference for what one JavaScript core can do on this model. It shares no code with
 * vnicspec: the model is the Promela one transcribed (same fields, same d_step branches, same assertions), so its
 * state counts must equal pan's and `vnicspec check`'s (5,127 for 2 × 2, 3,148,586 for 3 × 3).
 *
 * How it is fast: a state is a few 32-bit words with each field at a fixed bit position (the layout is computed
 * once); a successor is the parent's words with some fields rewritten, never an object; the visited set is one
 * Int32Array of open-addressing slots holding the key words inline plus the id (one probe, no decoding); ids are
 * given in BFS order and the states are kept by id in one array, which is also the queue; per state a parent id and
 * an action byte are kept, as a checker needs for traces. Nothing is allocated in the loop.
 *
 *   node dist/bench/js-limit.js [VMS] [CAPACITY]        # default 3 3; VMS 2..4
 *
 * `jsLimit()` is what bench/explorer.ts runs (the table row "JS limit").
 */
import { pathToFileURL } from 'node:url';

export interface JsLimitResult {
  readonly vms: number;
  readonly capacity: number;
  readonly states: number;
  /** Actions executed (rejected arrivals included), i.e. pan's transitions − 1: no unknown-MAC self-loops. */
  readonly transitions: number;
  readonly depth: number;
  readonly seconds: number;
  /** Bytes of the search's typed arrays at the end (visited table, states by id, parents, actions). */
  readonly bytes: number;
  readonly wordsPerState: number;
  /** States discovered at each depth (the BFS level profile). */
  readonly levels: readonly number[];
  /** A digest of every state's (parent, action) by id (`witnessDigest`). */
  readonly witnesses: number;
}

/** FNV-1a over the (parent, action) of states 0..count−1: equal digests mean (almost surely) the same BFS tree. */
export function witnessDigest(parent: Int32Array, action: Uint8Array, count: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < count; i++) {
    h = Math.imul(h ^ parent[i]!, 0x01000193);
    h = Math.imul(h ^ action[i]!, 0x01000193);
  }
  return h >>> 0;
}

const RING = 2;
const BURST = 1;

/** Bits needed for values 0..max. */
const bitsFor = (max: number): number => Math.max(1, 32 - Math.clz32(max));

/** Field layout: word index, shift and mask of each field; fields never straddle words. */
class Layout {
  readonly word: number[] = [];
  readonly shift: number[] = [];
  readonly mask: number[] = [];
  words = 1;
  private used = 0;
  add(max: number): number {
    const bits = bitsFor(max);
    if (this.used + bits > 32) {
      this.words++;
      this.used = 0;
    }
    this.word.push(this.words - 1);
    this.shift.push(this.used);
    this.mask.push(bits === 32 ? -1 : (1 << bits) - 1);
    this.used += bits;
    return this.word.length - 1;
  }
}

/**
 * The model of vnic.pml transcribed: `t` is the state under construction (the caller copies a parent's words into
 * it), `step(a)` runs action `a` on it (false: disabled), `init()` writes the initial state. Shared by the one-thread
 * search below and the 2-worker spike (bench/js-limit-parallel.ts).
 */
export interface PmlModel {
  /** 32-bit words per state. */
  readonly K: number;
  readonly ACTIONS: number;
  readonly t: Int32Array;
  init(): void;
  step(a: number): boolean;
  invariantsHold(): boolean;
}

export function pmlModel(nvm: number, cap: number): PmlModel {
  if (nvm < 2 || nvm > 4) throw new RangeError('js-limit: VMS must be 2..4');
  const NONE = nvm;
  const WAITCAP = nvm;
  const WAITBOUND = nvm - 1;
  const L = new Layout();
  const f = (max: number, n: number): number[] => Array.from({ length: n }, () => L.add(max));
  const TOK = f(BURST, nvm), Q = f(cap, nvm), CRED = f(RING, nvm), TXU = f(1, nvm), MASKED = f(1, nvm), HW = f(WAITCAP, nvm);
  const RINGF = f(RING, nvm), POLL = f(1, nvm), PFWD = f(1, nvm), PRX = f(1, nvm), OUTST = f(cap + RING, nvm), SHADOW = f(BURST, nvm);
  const TXQ = f(nvm - 1, nvm);
  const NXT = L.add(nvm - 1), TURN = L.add(1), DMA = L.add(NONE), TXLEN = L.add(nvm), PDMA = L.add(1), PTX = L.add(1);
  const K = L.words;
  const FW = Int32Array.from(L.word), FS = Int32Array.from(L.shift), FM = Int32Array.from(L.mask);

  // The successor under construction.
  const t = new Int32Array(K);
  const get = (x: number): number => (t[FW[x]!]! >>> FS[x]!) & FM[x]!;
  const set = (x: number, v: number): void => {
    const w = FW[x]!;
    t[w] = (t[w]! & ~(FM[x]! << FS[x]!)) | (v << FS[x]!);
  };
  const conforming = (i: number): boolean => i < nvm - 1;
  const eligible = (i: number): boolean => get(Q[i]!) > 0 && get(CRED[i]!) > 0;

  function kickDma(): void {
    if (get(DMA) !== NONE) return;
    const k = get(TURN) === 1 ? (get(NXT) + 1) % nvm : get(NXT);
    let g = NONE;
    for (let j = 0; j < nvm && g === NONE; j++) if (eligible((k + j) % nvm)) g = (k + j) % nvm;
    if (g === NONE) return;
    for (let j = 0; j < nvm; j++) if (j !== g && eligible(j) && get(HW[j]!) < WAITCAP) set(HW[j]!, get(HW[j]!) + 1);
    set(HW[g]!, 0);
    set(NXT, g);
    set(TURN, 1);
    set(DMA, g);
    set(PDMA, 1);
  }
  function raiseMsi(x: number): void {
    if (get(MASKED[x]!) === 0) {
      set(MASKED[x]!, 1);
      set(PFWD[x]!, 1);
    }
  }
  /** The d_step branches, in the .pml's order; each rewrites `t` (a copy of the parent) or returns false (disabled). */
  function step(a: number): boolean {
    if (a < nvm) {
      const v = a; // arrive(v)
      if (conforming(v)) {
        if (get(SHADOW[v]!) < 1) return false;
        set(SHADOW[v]!, get(SHADOW[v]!) - 1);
      }
      if (get(TOK[v]!) >= 1 && get(Q[v]!) + 1 <= cap) {
        set(OUTST[v]!, get(OUTST[v]!) + 1);
        set(TOK[v]!, get(TOK[v]!) - 1);
        set(Q[v]!, get(Q[v]!) + 1);
        kickDma();
      } // else rejected: outst up and down again
      return true;
    }
    a -= nvm;
    if (a === 0) {
      // tick
      for (let j = 0; j < nvm; j++) {
        if (conforming(j) && get(SHADOW[j]!) < BURST) set(SHADOW[j]!, get(SHADOW[j]!) + 1);
        if (get(TOK[j]!) < BURST) set(TOK[j]!, get(TOK[j]!) + 1);
      }
      return true;
    }
    if (a === 1) {
      // nic: dma.done
      if (get(PDMA) === 0) return false;
      set(PDMA, 0);
      const s = get(DMA);
      set(Q[s]!, get(Q[s]!) - 1);
      set(CRED[s]!, get(CRED[s]!) - 1);
      set(RINGF[s]!, get(RINGF[s]!) + 1);
      raiseMsi(s);
      set(DMA, NONE);
      kickDma();
      return true;
    }
    a -= 2;
    if (a < nvm) {
      // vmm: forward.done(v)
      const v = a;
      if (get(PFWD[v]!) === 0) return false;
      set(PFWD[v]!, 0);
      if (get(POLL[v]!) === 0) {
        if (get(RINGF[v]!) > 0) {
          set(POLL[v]!, 1);
          set(PRX[v]!, 1);
        } else set(MASKED[v]!, 0);
      }
      return true;
    }
    a -= nvm;
    if (a < nvm) {
      // vm v: rx.processed
      const v = a;
      if (get(PRX[v]!) === 0) return false;
      set(PRX[v]!, 0);
      set(RINGF[v]!, get(RINGF[v]!) - 1);
      set(OUTST[v]!, get(OUTST[v]!) - 1);
      if (conforming(v) && get(TXU[v]!) === 0) {
        set(TXU[v]!, 1);
        const n = get(TXLEN);
        set(TXQ[n]!, v);
        set(TXLEN, n + 1);
        if (n + 1 === 1) set(PTX, 1);
      }
      set(CRED[v]!, get(CRED[v]!) + 1);
      if (get(RINGF[v]!) === 0) set(MASKED[v]!, 0);
      kickDma();
      if (get(RINGF[v]!) > 0) set(PRX[v]!, 1);
      else set(POLL[v]!, 0);
      return true;
    }
    // nic: tx.done
    if (get(PTX) === 0) return false;
    set(PTX, 0);
    const s = get(TXQ[0]!);
    const n = get(TXLEN);
    for (let j = 1; j < n; j++) set(TXQ[j - 1]!, get(TXQ[j]!));
    set(TXLEN, n - 1);
    set(TXQ[n - 1]!, 0);
    set(TXU[s]!, 0);
    raiseMsi(s);
    if (n - 1 > 0) set(PTX, 1);
    return true;
  }
  const ACTIONS = 3 * nvm + 3;

  function invariantsHold(): boolean {
    for (let j = 0; j < nvm; j++) {
      if (get(Q[j]!) > cap || get(TOK[j]!) > BURST || get(OUTST[j]!) !== get(Q[j]!) + get(RINGF[j]!) || get(HW[j]!) > WAITBOUND) return false;
    }
    return true;
  }

  function init(): void {
    t.fill(0);
    for (let i = 0; i < nvm; i++) {
      set(TOK[i]!, BURST);
      set(CRED[i]!, RING);
      set(SHADOW[i]!, BURST);
    }
    set(DMA, NONE);
  }
  return { K, ACTIONS, t, init, step, invariantsHold };
}

export function jsLimit(nvm = 3, cap = 3): JsLimitResult {
  const { K, ACTIONS, t, init, step, invariantsHold } = pmlModel(nvm, cap);
  // Visited set: slots of K key words + (id + 1); 0 in the id word is an empty slot.
  const S = K + 1;
  let mask = (1 << 16) - 1;
  let table = new Int32Array((mask + 1) * S);
  let states = new Int32Array(1 << 16); // K words per id: the queue
  let parent = new Int32Array(1 << 14);
  let action = new Uint8Array(1 << 14);
  let depthEnd = new Int32Array(0); // unused; depth is tracked by level ends below
  void depthEnd;
  let count = 0;

  const hash = (w: Int32Array, at: number): number => {
    let h = 0x9e3779b9 | 0;
    for (let i = 0; i < K; i++) {
      h = Math.imul(h ^ w[at + i]!, 0x85ebca6b);
      h ^= h >>> 13;
    }
    h = Math.imul(h, 0xc2b2ae35);
    return h ^ (h >>> 16);
  };
  function grow(): void {
    const old = table;
    const oldSlots = mask + 1;
    mask = mask * 2 + 1;
    table = new Int32Array((mask + 1) * S);
    for (let i = 0; i < oldSlots; i++) {
      if (old[i * S + K] === 0) continue;
      let j = hash(old, i * S) & mask;
      while (table[j * S + K] !== 0) j = (j + 1) & mask;
      table.set(old.subarray(i * S, i * S + S), j * S);
    }
  }
  /** Adds `t` unless present; returns true when new. */
  function insert(from: number, a: number): boolean {
    let j = hash(t, 0) & mask;
    for (;;) {
      const at = j * S;
      if (table[at + K] === 0) break;
      let same = true;
      for (let i = 0; i < K; i++) if (table[at + i] !== t[i]) { same = false; break; }
      if (same) return false;
      j = (j + 1) & mask;
    }
    const id = count++;
    table.set(t, j * S);
    table[j * S + K] = id + 1;
    if ((id + 1) * K > states.length) {
      const bigger = new Int32Array(states.length * 2);
      bigger.set(states);
      states = bigger;
    }
    if (id >= parent.length) {
      // Its own test: the per-id columns hold fewer ids than `states` for keys under 4 words.
      const p = new Int32Array(parent.length * 2);
      p.set(parent);
      parent = p;
      const q = new Uint8Array(action.length * 2);
      q.set(action);
      action = q;
    }
    states.set(t, id * K);
    parent[id] = from;
    action[id] = a;
    if (count * 2 > mask + 1) grow();
    return true;
  }

  const started = performance.now();
  init();
  insert(-1, 0);
  let transitions = 0;
  let depth = 0;
  let levelEnd = count;
  const levels: number[] = [count];
  for (let id = 0; id < count; id++) {
    if (id === levelEnd) {
      depth++;
      levels.push(count - levelEnd);
      levelEnd = count;
    }
    for (let a = 0; a < ACTIONS; a++) {
      for (let i = 0; i < K; i++) t[i] = states[id * K + i]!;
      if (!step(a)) continue;
      transitions++;
      if (insert(id, a) && !invariantsHold()) throw new Error(`js-limit: an assertion failed in state ${count - 1}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const bytes = table.byteLength + count * K * 4 + count * 5;
  return { vms: nvm, capacity: cap, states: count, transitions, depth, seconds, bytes, wordsPerState: K, levels, witnesses: witnessDigest(parent, action, count) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const vms = Number(process.argv[2] ?? 3);
  const capacity = Number(process.argv[3] ?? 3);
  const r = jsLimit(vms, capacity);
  process.stdout.write(
    `js-limit ${vms} VMs × ${capacity} slots: ${r.states.toLocaleString('en')} states, ${r.transitions.toLocaleString('en')} transitions, depth ${r.depth}, ` +
      `${r.seconds.toFixed(2)} s, ${(r.states / r.seconds).toFixed(0)} states/s, ${r.wordsPerState} words/state, ${(r.bytes / r.states).toFixed(1)} B/state\n` +
      (process.argv.includes('--levels') ? `levels: ${r.levels.join(' ')}\n` : ''),
  );
}

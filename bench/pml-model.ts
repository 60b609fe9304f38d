/**
 * The model of `bench/spin/vnic.pml` written against vnicspec's packed-model API (src/explore/packed/model.ts), as a
 * model author would write one by hand: the same fields, branches and assertions as js-limit.ts. Searching it with
 * vnicspec's engine, next to js-limit.ts's stand-alone search of the same state space, measures what the engine's
 * generality costs; it is also the model the parallel search's tests run in worker threads (no tables to share).
 */

import { fromPacked, type AdaptedModel, type Fields } from '../src/explore/packed/adapter.js';
import type { Layout } from '../src/explore/packed/layout.js';
import type { PackedModel, Successors } from '../src/explore/packed/model.js';
import { compiledModuleUrl } from '../src/explore/parallel/urls.js';

export interface PmlConfig {
  readonly vms: number;
  readonly capacity: number;
  /** The bound of the DMA-wait assertion (vnic.pml: vms − 1); lower it to plant a violation. */
  readonly waitBound?: number;
  /** Planted specification error (tests): a VM's rx.processed fails when its ring holds this many packets. */
  readonly failAtRing?: number;
}

const RING = 2;
const BURST = 1;

/** Field indices of the model's state. */
function fieldsOf(n: number) {
  let next = 0;
  const per = () => Array.from({ length: n }, () => next++);
  const F = {
    tok: per(), q: per(), cred: per(), txu: per(), masked: per(), hw: per(), ring: per(), poll: per(),
    pFwd: per(), pRx: per(), outst: per(), shadow: per(), txq: per(),
    nxt: next++, turn: next++, dma: next++, txlen: next++, pDma: next++, pTx: next++,
  };
  return { F, count: next };
}

export function pmlPacked(c: PmlConfig): PackedModel {
  const n = c.vms;
  const cap = c.capacity;
  const NONE = n;
  const WAITCAP = n;
  const waitBound = c.waitBound ?? n - 1;
  const { F, count } = fieldsOf(n);
  const hints = new Array<number>(count).fill(1);
  for (let i = 0; i < n; i++) {
    hints[F.q[i]!] = cap;
    hints[F.cred[i]!] = RING;
    hints[F.hw[i]!] = WAITCAP;
    hints[F.ring[i]!] = RING;
    hints[F.outst[i]!] = cap + RING;
    hints[F.txq[i]!] = n - 1;
  }
  hints[F.nxt] = n - 1;
  hints[F.dma] = NONE;
  hints[F.txlen] = n;
  const conforming = (i: number): boolean => i < n - 1;

  // The successor being written: out.keys at offset o, under layout L.
  let k: Int32Array = new Int32Array(0);
  let o = 0;
  let L: Layout;
  const get = (f: number): number => L.get(k, o, f);
  const set = (f: number, v: number): void => L.set(k, o, f, v);
  const eligible = (i: number): boolean => get(F.q[i]!) > 0 && get(F.cred[i]!) > 0;
  function kickDma(): void {
    if (get(F.dma) !== NONE) return;
    const from = get(F.turn) === 1 ? (get(F.nxt) + 1) % n : get(F.nxt);
    let g = NONE;
    for (let j = 0; j < n && g === NONE; j++) if (eligible((from + j) % n)) g = (from + j) % n;
    if (g === NONE) return;
    for (let j = 0; j < n; j++) if (j !== g && eligible(j) && get(F.hw[j]!) < WAITCAP) set(F.hw[j]!, get(F.hw[j]!) + 1);
    set(F.hw[g]!, 0);
    set(F.nxt, g);
    set(F.turn, 1);
    set(F.dma, g);
    set(F.pDma, 1);
  }
  function raiseMsi(x: number): void {
    if (get(F.masked[x]!) === 0) {
      set(F.masked[x]!, 1);
      set(F.pFwd[x]!, 1);
    }
  }
  /** Whether branch `a` is enabled in the parent `keys[at..]`. */
  function enabled(keys: Int32Array, at: number, a: number): boolean {
    if (a < n) return !conforming(a) || L.get(keys, at, F.shadow[a]!) >= 1;
    if (a === n) return true;
    if (a === n + 1) return L.get(keys, at, F.pDma) === 1;
    if (a < 2 * n + 2) return L.get(keys, at, F.pFwd[a - n - 2]!) === 1;
    if (a < 3 * n + 2) return L.get(keys, at, F.pRx[a - 2 * n - 2]!) === 1;
    return L.get(keys, at, F.pTx) === 1;
  }
  function apply(a: number): void {
    if (a < n) {
      const v = a;
      if (conforming(v)) set(F.shadow[v]!, get(F.shadow[v]!) - 1);
      if (get(F.tok[v]!) >= 1 && get(F.q[v]!) + 1 <= cap) {
        set(F.outst[v]!, get(F.outst[v]!) + 1);
        set(F.tok[v]!, get(F.tok[v]!) - 1);
        set(F.q[v]!, get(F.q[v]!) + 1);
        kickDma();
      }
    } else if (a === n) {
      for (let j = 0; j < n; j++) {
        if (conforming(j) && get(F.shadow[j]!) < BURST) set(F.shadow[j]!, get(F.shadow[j]!) + 1);
        if (get(F.tok[j]!) < BURST) set(F.tok[j]!, get(F.tok[j]!) + 1);
      }
    } else if (a === n + 1) {
      set(F.pDma, 0);
      const s = get(F.dma);
      set(F.q[s]!, get(F.q[s]!) - 1);
      set(F.cred[s]!, get(F.cred[s]!) - 1);
      set(F.ring[s]!, get(F.ring[s]!) + 1);
      raiseMsi(s);
      set(F.dma, NONE);
      kickDma();
    } else if (a < 2 * n + 2) {
      const v = a - n - 2;
      set(F.pFwd[v]!, 0);
      if (get(F.poll[v]!) === 0) {
        if (get(F.ring[v]!) > 0) {
          set(F.poll[v]!, 1);
          set(F.pRx[v]!, 1);
        } else set(F.masked[v]!, 0);
      }
    } else if (a < 3 * n + 2) {
      const v = a - 2 * n - 2;
      set(F.pRx[v]!, 0);
      set(F.ring[v]!, get(F.ring[v]!) - 1);
      set(F.outst[v]!, get(F.outst[v]!) - 1);
      if (conforming(v) && get(F.txu[v]!) === 0) {
        set(F.txu[v]!, 1);
        const len = get(F.txlen);
        set(F.txq[len]!, v);
        set(F.txlen, len + 1);
        if (len === 0) set(F.pTx, 1);
      }
      set(F.cred[v]!, get(F.cred[v]!) + 1);
      if (get(F.ring[v]!) === 0) set(F.masked[v]!, 0);
      kickDma();
      if (get(F.ring[v]!) > 0) set(F.pRx[v]!, 1);
      else set(F.poll[v]!, 0);
    } else {
      set(F.pTx, 0);
      const s = get(F.txq[0]!);
      const len = get(F.txlen);
      for (let j = 1; j < len; j++) set(F.txq[j - 1]!, get(F.txq[j]!));
      set(F.txlen, len - 1);
      set(F.txq[len - 1]!, 0);
      set(F.txu[s]!, 0);
      raiseMsi(s);
      if (len > 1) set(F.pTx, 1);
    }
  }
  const actions = 3 * n + 3;
  return {
    fields: count,
    fieldHints: hints,
    expand(keys, at, layout, out: Successors) {
      L = layout;
      let taken = 0;
      for (let a = 0; a < actions; a++) {
        if (!enabled(keys, at, a)) continue;
        if (a >= 2 * n + 2 && a < 3 * n + 2 && layout.get(keys, at, F.ring[a - 2 * n - 2]!) === c.failAtRing) {
          out.error = taken;
          return taken;
        }
        o = out.add(keys, at, taken++);
        k = out.keys;
        apply(a);
      }
      return taken;
    },
    check(keys, at, layout) {
      for (let j = 0; j < n; j++) {
        const q = layout.get(keys, at, F.q[j]!);
        if (q > cap || layout.get(keys, at, F.tok[j]!) > BURST || layout.get(keys, at, F.outst[j]!) !== q + layout.get(keys, at, F.ring[j]!) || layout.get(keys, at, F.hw[j]!) > waitBound) return 0;
      }
      return -1;
    },
    witness: () => 0,
  };
}

/** For worker threads: the same packed model from plain data. */
export function pmlWorkerModel(data: unknown): PackedModel {
  return pmlPacked(data as PmlConfig);
}

/** The object-level model around `pmlPacked` (traces, labels), with its one property and a worker descriptor. */
export function pmlModel(c: PmlConfig): AdaptedModel {
  const pm = pmlPacked(c);
  const n = c.vms;
  const { F, count } = fieldsOf(n);
  const init = new Array<number>(count).fill(0);
  for (let i = 0; i < n; i++) {
    init[F.tok[i]!] = BURST;
    init[F.cred[i]!] = RING;
    init[F.shadow[i]!] = BURST;
  }
  init[F.dma] = n;
  const names = [...Array.from({ length: n }, (_, v) => `arrive(vm${v})`), 'tick', 'nic: dma.done', ...Array.from({ length: n }, (_, v) => `vmm: forward.done(vm${v})`), ...Array.from({ length: n }, (_, v) => `vm${v}: rx.processed`), 'nic: tx.done'];
  const enabledNames = (s: Fields): string[] =>
    names.filter((_, a) => {
      if (a < n) return a === n - 1 || s[F.shadow[a]!]! >= 1;
      if (a === n) return true;
      if (a === n + 1) return s[F.pDma] === 1;
      if (a < 2 * n + 2) return s[F.pFwd[a - n - 2]!] === 1;
      if (a < 3 * n + 2) return s[F.pRx[a - 2 * n - 2]!] === 1;
      return s[F.pTx] === 1;
    });
  return fromPacked({
    model: pm,
    initial: [init],
    properties: [{ name: 'assertions', description: "vnic.pml's assertions: capacity, bucket, conservation, DMA wait", kind: 'always' }],
    label: (s, i) => enabledNames(s)[i] ?? `action ${i}`,
    worker: { module: compiledModuleUrl(import.meta.url), export: 'pmlWorkerModel', data: () => c },
  });
}


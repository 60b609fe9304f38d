/**
 * Small textbook models for the checker's own tests and benchmarks; they pin its behaviour against numbers known
 * from other checkers (TLC, Stateright) and give a cheap model for measuring states/s and bytes/state.
 */
import { ModelError, type Model, type Property } from './model.js';

// ---------------------------------------------------------------------------------------------------------------
// Two-phase commit: TwoPhase.tla from tlaplus/Examples (Gray & Lamport), with the TM and the message set `msgs`.
// With 3 RMs TLC and Stateright both find 288 distinct states; with 5, 8,832.

export type RmState = 'working' | 'prepared' | 'committed' | 'aborted';

export interface TwoPhaseState {
  readonly rm: readonly RmState[];
  readonly tm: 'init' | 'done';
  readonly tmPrepared: readonly boolean[];
  /** msgs ∋ [type |-> "Prepared", rm |-> r] */
  readonly preparedMsg: readonly boolean[];
  readonly commitMsg: boolean;
  readonly abortMsg: boolean;
}

export type TwoPhaseAction =
  | { readonly kind: 'TMCommit' }
  | { readonly kind: 'TMAbort' }
  | { readonly kind: 'TMRcvPrepared' | 'RMPrepare' | 'RMChooseToAbort' | 'RMRcvCommitMsg' | 'RMRcvAbortMsg'; readonly rm: number };

const RM_CODE: Record<RmState, string> = { working: 'w', prepared: 'p', committed: 'c', aborted: 'a' };
const RM_ORDER: Record<RmState, number> = { working: 0, prepared: 1, committed: 2, aborted: 3 };

export interface TwoPhaseOptions {
  /** Planted bug: the TM may commit before every RM has prepared. */
  readonly eagerCommit?: boolean;
}

export function twoPhaseCommit(n: number, options: TwoPhaseOptions = {}): Model<TwoPhaseState, TwoPhaseAction> {
  const rms = Array.from({ length: n }, (_, i) => i);
  const with_ = <T>(xs: readonly T[], i: number, x: T): T[] => xs.map((y, j) => (j === i ? x : y));
  return {
    initial: () => [
      {
        rm: rms.map(() => 'working' as const),
        tm: 'init',
        tmPrepared: rms.map(() => false),
        preparedMsg: rms.map(() => false),
        commitMsg: false,
        abortMsg: false,
      },
    ],
    actions(s) {
      const out: TwoPhaseAction[] = [];
      if (s.tm === 'init' && (options.eagerCommit || s.tmPrepared.every((p) => p))) out.push({ kind: 'TMCommit' });
      if (s.tm === 'init') out.push({ kind: 'TMAbort' });
      for (const rm of rms) {
        if (s.tm === 'init' && s.preparedMsg[rm]) out.push({ kind: 'TMRcvPrepared', rm });
        if (s.rm[rm] === 'working') out.push({ kind: 'RMPrepare', rm }, { kind: 'RMChooseToAbort', rm });
        if (s.commitMsg) out.push({ kind: 'RMRcvCommitMsg', rm });
        if (s.abortMsg) out.push({ kind: 'RMRcvAbortMsg', rm });
      }
      return out;
    },
    next(s, a) {
      switch (a.kind) {
        case 'TMCommit':
          return { ...s, tm: 'done', commitMsg: true };
        case 'TMAbort':
          return { ...s, tm: 'done', abortMsg: true };
        case 'TMRcvPrepared':
          return { ...s, tmPrepared: with_(s.tmPrepared, a.rm, true) };
        case 'RMPrepare':
          return { ...s, rm: with_(s.rm, a.rm, 'prepared'), preparedMsg: with_(s.preparedMsg, a.rm, true) };
        case 'RMChooseToAbort':
        case 'RMRcvAbortMsg':
          return { ...s, rm: with_(s.rm, a.rm, 'aborted') };
        case 'RMRcvCommitMsg':
          return { ...s, rm: with_(s.rm, a.rm, 'committed') };
      }
    },
    key(s) {
      // One char per RM and flag; built with join, which yields a flat string (`+=` yields a rope V8 must flatten).
      const parts: string[] = [s.tm === 'init' ? 'i' : 'd', s.commitMsg ? 'C' : '-', s.abortMsg ? 'A' : '-'];
      for (const r of rms) parts.push(RM_CODE[s.rm[r]!], s.tmPrepared[r] ? '1' : '0', s.preparedMsg[r] ? '1' : '0');
      return parts.join('');
    },
    label: (a) => ('rm' in a ? `${a.kind}(rm${a.rm + 1})` : a.kind),
    vars(s) {
      const msgs = new Set<unknown>();
      rms.forEach((r) => s.preparedMsg[r] && msgs.add({ type: 'Prepared', rm: `rm${r + 1}` }));
      if (s.commitMsg) msgs.add({ type: 'Commit' });
      if (s.abortMsg) msgs.add({ type: 'Abort' });
      return {
        rmState: new Map(rms.map((r) => [`rm${r + 1}`, s.rm[r]!])),
        tmState: s.tm,
        tmPrepared: new Set(rms.filter((r) => s.tmPrepared[r]).map((r) => `rm${r + 1}`)),
        msgs,
      };
    },
    canonical(s) {
      // RMs are interchangeable: sort them by everything that mentions them.
      const order = [...rms].sort((a, b) => rmSortCode(s, a) - rmSortCode(s, b));
      return {
        ...s,
        rm: order.map((r) => s.rm[r]!),
        tmPrepared: order.map((r) => s.tmPrepared[r]!),
        preparedMsg: order.map((r) => s.preparedMsg[r]!),
      };
    },
  };
}

function rmSortCode(s: TwoPhaseState, r: number): number {
  return RM_ORDER[s.rm[r]!] * 4 + (s.tmPrepared[r] ? 2 : 0) + (s.preparedMsg[r] ? 1 : 0);
}

export const twoPhaseProperties: readonly Property<TwoPhaseState>[] = [
  {
    name: 'consistent',
    description: 'no RM has aborted while another has committed (TCConsistent)',
    kind: 'always',
    check(s) {
      const a = s.rm.indexOf('aborted');
      const c = s.rm.indexOf('committed');
      return a >= 0 && c >= 0 ? `rm${a + 1} aborted while rm${c + 1} committed` : undefined;
    },
  },
  {
    name: 'commit agreement',
    description: 'all RMs can commit',
    kind: 'sometimes',
    check: (s) => (s.rm.every((r) => r === 'committed') ? undefined : 'not all committed'),
  },
  {
    name: 'abort agreement',
    description: 'all RMs can abort',
    kind: 'sometimes',
    check: (s) => (s.rm.every((r) => r === 'aborted') ? undefined : 'not all aborted'),
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Counters: x and y in [0, limit], inc/dec on x, inc on y. A planted bug at (4, 3) lies at depth 7 exactly.

export interface Counters {
  readonly x: number;
  readonly y: number;
}
export type CounterAction = 'incX' | 'decX' | 'incY';

export function counters(limit: number): Model<Counters, CounterAction> {
  return {
    initial: () => [{ x: 0, y: 0 }],
    actions(s) {
      const out: CounterAction[] = [];
      if (s.x < limit) out.push('incX');
      if (s.x > 0) out.push('decX');
      if (s.y < limit) out.push('incY');
      return out;
    },
    next: (s, a) => (a === 'incX' ? { x: s.x + 1, y: s.y } : a === 'decX' ? { x: s.x - 1, y: s.y } : { x: s.x, y: s.y + 1 }),
    key: (s) => `${s.x},${s.y}`,
    label: (a) => a,
    vars: (s) => ({ x: s.x, y: s.y }),
  };
}

export const plantedBug: Property<Counters> = {
  name: 'no (4,3)',
  description: 'the planted bug: (x, y) = (4, 3) is unreachable',
  kind: 'always',
  check: (s) => (s.x === 4 && s.y === 3 ? 'x = 4 and y = 3' : undefined),
};

// ---------------------------------------------------------------------------------------------------------------
// Lost update: n interchangeable processes each do `tmp := x; x := tmp + 1` non-atomically.

export interface LostUpdateState {
  readonly x: number;
  /** Per process: 0 = before the read, 1 = read done (tmp valid), 2 = written. */
  readonly pc: readonly number[];
  readonly tmp: readonly number[];
}
export interface LostUpdateAction {
  readonly kind: 'read' | 'write';
  readonly p: number;
}

export function lostUpdate(n: number): Model<LostUpdateState, LostUpdateAction> {
  const ps = Array.from({ length: n }, (_, i) => i);
  return {
    initial: () => [{ x: 0, pc: ps.map(() => 0), tmp: ps.map(() => 0) }],
    actions: (s) =>
      ps.flatMap((p): LostUpdateAction[] => (s.pc[p] === 0 ? [{ kind: 'read', p }] : s.pc[p] === 1 ? [{ kind: 'write', p }] : [])),
    next(s, a) {
      const pc = s.pc.slice();
      const tmp = s.tmp.slice();
      if (a.kind === 'read') {
        pc[a.p] = 1;
        tmp[a.p] = s.x;
        return { x: s.x, pc, tmp };
      }
      pc[a.p] = 2;
      return { x: s.tmp[a.p]! + 1, pc, tmp };
    },
    key: (s) => `${s.x}|${s.pc.join('')}|${s.tmp.join(',')}`,
    label: (a) => `${a.kind}(p${a.p + 1})`,
    vars: (s) => ({ x: s.x, pc: [...s.pc], tmp: [...s.tmp] }),
    canonical(s) {
      // Sorted by ascending (pc, tmp): a process that has read moves behind those that have not, so action
      // indices recorded on representatives differ from the concrete ones and trace reconstruction must search.
      const order = [...ps].sort((a, b) => s.pc[a]! - s.pc[b]! || s.tmp[a]! - s.tmp[b]!);
      return { x: s.x, pc: order.map((p) => s.pc[p]!), tmp: order.map((p) => s.tmp[p]!) };
    },
  };
}

export function lostUpdateProperty(n: number): Property<LostUpdateState> {
  return {
    name: 'no lost update',
    description: `when all ${n} processes are done, x = ${n}`,
    kind: 'always',
    check: (s) => (s.pc.every((p) => p === 2) && s.x !== n ? `all done but x = ${s.x}` : undefined),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// An unbounded counter (infinite state space: only bounds end the search) and one that hits a spec error.

export function unbounded(failAt?: number): Model<number, 'inc'> {
  return {
    initial: () => [0],
    actions: () => ['inc'],
    next(s) {
      if (s === failAt) throw new ModelError(`counter overflow at ${s}`);
      return s + 1;
    },
    key: (s) => String(s),
    label: () => 'inc',
    vars: (s) => ({ n: s }),
  };
}

/** A grid of `width`^dims cells, stepping +1 along any axis: a cheap model for throughput and memory measurements. */
export function grid(width: number, dims: number): Model<number, number> {
  const strides = Array.from({ length: dims }, (_, d) => width ** d);
  return {
    initial: () => [0],
    actions(s) {
      const out: number[] = [];
      for (let d = 0; d < dims; d++) if (Math.floor(s / strides[d]!) % width < width - 1) out.push(d);
      return out;
    },
    next: (s, d) => s + strides[d]!,
    key: (s) => s.toString(36),
    label: (d) => `inc${d}`,
    vars: (s) => ({ cell: s }),
  };
}

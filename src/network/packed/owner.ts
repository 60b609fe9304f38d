/**
 * The thread that owns the machines fills the shared tables (tables.ts) on first need: it steps a machine through
 * the MemoNetwork, interns pending multisets and flag lists, and decides property parts and step checks with the
 * model's own predicates, recording which machines a check reads so that its memo is exact.
 *
 * The model supplies what is not about machines (`OwnerHooks`): pending item ids, what a probe does to the
 * environment's counters, the actions a component state offers, and its properties' parts.
 */
import type { MachineState } from '../../machine/types.js';
import { BAD, DISABLED } from '../step-table.js';
import type { MemoNetwork } from '../memo-network.js';
import type { Probe } from '../network.js';
import type { Filler } from './core.js';
import { CODES_STRIDE, addCode } from './cache.js';
import { OBSERVE } from './observe.js';
import type { Program } from './program.js';
import { canonicalJson } from '../../util/canonical-json.js';
import { ensureLength, sharedInts, type DenseTable, type PairTable } from './shared.js';
import { CELL_BAD, CELL_DISABLED, DECIDED, Tables } from './tables.js';

/** A step flag: a property and why the step broke it. */
export interface StepFlag {
  readonly property: string;
  readonly message: string;
}

export interface OwnerHooks {
  readonly memo: MemoNetwork;
  /** The model's id of the pending item delivering event id `event` to component `to`. */
  pendingId(to: number, event: number): number;
  /** Counter changes a probe makes: (field, delta) pairs pushed to `out`. */
  probeEnv(probe: Probe, out: number[]): void;
  /**
   * The actions state-action component number `k` offers in machine state `m`, as deliveries: (component, event id)
   * pairs, flat. An action may deliver to another component than the one whose state offers it.
   */
  stateActions(k: number, m: MachineState<unknown>): readonly number[];
  /** Property `p`'s local part for component `c` in `m`: true when it fails (always) or witnesses (sometimes). */
  local(p: number, c: number, m: MachineState<unknown>): boolean;
  /** Property `p`'s counts (its `sums`) for component `c` in `m`, written to `out`. */
  count(p: number, c: number, m: MachineState<unknown>, out: number[]): void;
  /** Group part `part` on the machines (read through the array): true when it fails (always) or witnesses. */
  group(part: number, machines: readonly MachineState<unknown>[]): boolean;
  /** Step check `k` on a delivery's pre-state machines and probes: the flags it raises, in order. */
  stepCheck(k: number, pre: readonly MachineState<unknown>[], probes: readonly Probe[]): readonly StepFlag[];
  /**
   * With `Program.counterOps`: the counter operations the delivery performs (history variables), a function of its
   * pre-state machines and probes, as (field, add, lo, hi) quadruples pushed to `out`: `v := min(hi, max(lo, v + add))`.
   */
  counterOps?(pre: readonly MachineState<unknown>[], probes: readonly Probe[], out: number[]): void;
  /** Index of a flag's property in the program's property list (−1: none checked). */
  flagProperty(flag: StepFlag): number;
}

/**
 * One component's memoized steps (the owner's copy, which `layFlat` lays out as the tables' flat view): the column of
 * each event id (−1: none), and per (state id, column) at 2 · (state · cols + column) the cell and its effect record.
 */
interface StepTable {
  colOf: Int32Array;
  cols: number;
  rows: number;
  cells: Int32Array;
}

/** What a check read: a node value (tables.ts) and the edge key under it. */
interface Read {
  readonly code: number;
  readonly key: number;
}

export class NetworkOwner implements Filler {
  readonly tables: Tables;
  private readonly program: Program;
  private readonly sets = new Map<string, number>();
  private readonly setLists: number[][] = [];
  private readonly flagIds = new Map<string, number>();
  /** Flag lists by id; list 0 is the empty list. */
  readonly flagLists: StepFlag[][] = [[]];
  private readonly plistProbes: Probe[][] = [[]];
  private readonly deltas: number[] = [];
  private readonly steps: StepTable[];
  /** Offset in `effData` of each effect id's record. */
  private readonly effects = new Map<number, number>();
  /** Projections observed by checks (observe.ts), by function, and each one's values by canonical JSON. */
  private readonly projections = new Map<(m: MachineState<unknown>) => unknown, number>();
  private readonly projectionValues: Map<string, number>[] = [];

  constructor(
    program: Program,
    private readonly hooks: OwnerHooks,
  ) {
    this.program = program;
    this.tables = new Tables(program);
    this.steps = Array.from({ length: program.components }, () => ({ colOf: new Int32Array(16).fill(-1), cols: 0, rows: 0, cells: new Int32Array(2) }));
    if (program.properties.length > 30) throw new RangeError('packed network: at most 30 properties');
    this.internSet([]); // set 0: nothing pending
  }

  /** Mark the tables as changed in shape: workers must be given the new arrays. */
  private touched(): void {
    this.tables.version++;
  }

  private pair(t: PairTable | DenseTable, a: number, b: number, v: number): void {
    if (t.set(a, b, v)) this.touched();
  }

  // ---- steps and effects -----------------------------------------------------------------------------------------

  cell(c: number, state: number, event: number): void {
    const memo = this.hooks.memo;
    const next = memo.stepCell(c, state, event);
    const rec = next >= 0 ? this.effect(memo.lastEffect) + 1 : 0;
    const st = this.steps[c]!;
    let col = event < st.colOf.length ? st.colOf[event]! : -1;
    let relay = false;
    if (col < 0) {
      col = this.addColumn(st, event);
      relay = true;
    }
    if (state >= st.rows) {
      this.addRows(st, state + 1);
      relay = true;
    }
    const i = 2 * (state * st.cols + col);
    st.cells[i] = next === DISABLED ? CELL_DISABLED : next === BAD ? CELL_BAD : next + 1;
    st.cells[i + 1] = rec;
    const t = this.tables;
    if (relay || event >= t.stepEvents) this.layFlat();
    else {
      const base = t.stepMeta[2 * (c * t.stepEvents + event)]! - 1;
      t.stepCells[base + 2 * state] = st.cells[i]!;
      t.stepCells[base + 2 * state + 1] = rec;
    }
  }

  private addColumn(st: StepTable, event: number): number {
    if (event >= st.colOf.length) {
      const old = st.colOf;
      st.colOf = new Int32Array(Math.max(event + 1, old.length * 2)).fill(-1);
      st.colOf.set(old);
    }
    const col = st.cols;
    const cols = col + 1;
    // Re-lay the rows with one more column (tables are small: a component receives few events).
    const cells = new Int32Array(Math.max(1, st.rows) * cols * 2);
    for (let r = 0; r < st.rows; r++) cells.set(st.cells.subarray(2 * r * st.cols, 2 * (r * st.cols + st.cols)), 2 * r * cols);
    st.cells = cells;
    st.cols = cols;
    st.colOf[event] = col;
    return col;
  }

  private addRows(st: StepTable, rows: number): void {
    const n = Math.max(rows, st.rows * 2, 16);
    const cells = new Int32Array(n * Math.max(1, st.cols) * 2);
    cells.set(st.cells.subarray(0, 2 * st.rows * st.cols));
    st.cells = cells;
    st.rows = n;
  }

  /** Lay the components' step tables out again as the tables' flat view (tables.ts `StepView`). */
  private layFlat(): void {
    const t = this.tables;
    let E = Math.max(16, t.stepEvents);
    for (const st of this.steps) for (let ev = 0; ev < st.colOf.length; ev++) if (st.colOf[ev]! >= 0) while (ev >= E) E *= 2;
    const C = this.program.components;
    const meta = sharedInts(2 * C * E);
    let size = 0;
    for (const st of this.steps) size += 2 * st.rows * st.cols;
    const cells = sharedInts(size);
    let at = 0;
    this.steps.forEach((st, c) => {
      for (let ev = 0; ev < st.colOf.length; ev++) {
        const col = st.colOf[ev]!;
        if (col < 0) continue;
        meta[2 * (c * E + ev)] = at + 1;
        meta[2 * (c * E + ev) + 1] = st.rows;
        for (let r = 0; r < st.rows; r++) {
          cells[at + 2 * r] = st.cells[2 * (r * st.cols + col)]!;
          cells[at + 2 * r + 1] = st.cells[2 * (r * st.cols + col) + 1]!;
        }
        at += 2 * st.rows;
      }
    });
    t.stepEvents = E;
    t.stepMeta = meta;
    t.stepCells = cells;
    this.touched();
  }

  /**
   * The offset in `effData` of effect `e`'s record (written on first need), or −1 for an effect that does nothing the
   * packed network sees (no send, pending item, counter change or probe): its cells say so, and a delivery skips it.
   */
  private effect(e: number): number {
    const known = this.effects.get(e);
    if (known !== undefined) return known;
    const fx = this.hooks.memo.effect(e);
    const rec: number[] = [e, fx.sends.length / 2, ...fx.sends];
    const targets = fx.deferredTargets;
    rec.push(targets.length / 2);
    for (let j = 0; j < targets.length; j += 2) rec.push(this.pendingId(targets[j]!, targets[j + 1]!));
    const deltas = this.deltas;
    deltas.length = 0;
    for (const p of fx.probes) this.hooks.probeEnv(p, deltas);
    rec.push(deltas.length / 2, ...deltas, fx.probes.length > 0 ? 1 : 0);
    const empty = fx.sends.length === 0 && targets.length === 0 && deltas.length === 0 && fx.probes.length === 0;
    const at = empty ? -1 : this.append('effData', 'effUsed', rec);
    this.effects.set(e, at);
    return at;
  }

  private pendingId(to: number, event: number): number {
    const pid = this.hooks.pendingId(to, event);
    this.grow('pendTo', pid + 1);
    this.grow('pendEv', pid + 1);
    this.tables.pendTo[pid] = to;
    this.tables.pendEv[pid] = event;
    return pid;
  }

  /** Append `rec` to a shared data array; its offset. */
  private append(name: 'effData' | 'setData' | 'actData' | 'resData', used: 'effUsed' | 'setUsed' | 'actUsed' | 'resUsed', rec: readonly number[]): number {
    const t = this.tables;
    const at = t[used];
    this.grow(name, at + rec.length);
    t[name].set(rec, at);
    t[used] = at + rec.length;
    return at;
  }

  /** Make `tables[name]` at least `length` long. */
  private grow(
    name: 'effData' | 'setData' | 'actData' | 'pendTo' | 'pendEv' | 'setStart' | 'flagMask' | 'groupNodes' | 'checkNodes' | 'checkRoot' | 'checkCodes' | 'resFlags' | 'resStart' | 'resData',
    length: number,
  ): void {
    const t = this.tables;
    const a = ensureLength(t[name], length);
    if (a !== t[name]) {
      t[name] = a;
      this.touched();
    }
  }

  // ---- pending multisets -----------------------------------------------------------------------------------------

  /** The id of the multiset `list` (sorted pending ids, repeats allowed). */
  internSet(list: readonly number[]): number {
    const key = list.join(',');
    let id = this.sets.get(key);
    if (id !== undefined) return id;
    id = this.setLists.length;
    this.sets.set(key, id);
    this.setLists.push([...list]);
    const at = this.append('setData', 'setUsed', [list.length, ...list]);
    this.grow('setStart', id + 1);
    this.tables.setStart[id] = at + 1;
    return id;
  }

  setAdd(set: number, pid: number): void {
    const list = [...this.setLists[set]!];
    let i = list.length;
    list.push(pid);
    while (i > 0 && list[i - 1]! > pid) {
      list[i] = list[i - 1]!;
      i--;
    }
    list[i] = pid;
    this.pair(this.tables.setAdd, set, pid, this.internSet(list) + 1);
  }

  setRemove(set: number, pid: number): void {
    const list = [...this.setLists[set]!];
    list.splice(list.indexOf(pid), 1);
    this.pair(this.tables.setRemove, set, pid, this.internSet(list) + 1);
  }

  // ---- state actions and properties --------------------------------------------------------------------------------

  stateActions(k: number, state: number): void {
    const c = this.program.stateActionComponents[k]!;
    const deliveries = this.hooks.stateActions(k, this.hooks.memo.state(c, state));
    const at = this.append('actData', 'actUsed', [deliveries.length / 2, ...deliveries]);
    const t = this.tables;
    const a = ensureLength(t.actStart[k]!, state + 1);
    if (a !== t.actStart[k]) {
      t.actStart[k] = a;
      this.touched();
    }
    a[state] = at + 1;
  }

  decide(c: number, state: number): void {
    const t = this.tables;
    const m = this.hooks.memo.state(c, state);
    let fail = 0;
    let wit = 0;
    const W = this.program.sumWidth;
    const counts: number[] = [];
    const row = new Array<number>(W).fill(0);
    this.program.properties.forEach((shape, p) => {
      if (shape.local && this.hooks.local(p, c, m)) {
        if (shape.kind === 'always') fail |= 1 << p;
        else wit |= 1 << p;
      }
      if (shape.sums !== undefined) {
        counts.length = shape.sums.fields.length;
        counts.fill(0);
        this.hooks.count(p, c, m, counts);
        for (let v = 0; v < shape.sums.fields.length; v++) row[shape.sums.offset + v] = counts[v] ?? 0;
      }
    });
    for (const [name, width] of [
      ['fail', 1],
      ['wit', 1],
      ['contrib', Math.max(1, W)],
    ] as const) {
      const a = ensureLength(t[name][c]!, (state + 1) * width);
      if (a !== t[name][c]) {
        t[name][c] = a;
        this.touched();
      }
    }
    for (let v = 0; v < W; v++) {
      t.contrib[c]![state * W + v] = row[v]!;
      if (row[v] !== 0) t.counts[c] = 1;
    }
    t.fail[c]![state] = fail | DECIDED;
    t.wit[c]![state] = wit | DECIDED;
  }

  /** The machine states of the first `components` fields of `ids`. */
  private machines(ids: Int32Array): MachineState<unknown>[] {
    return Array.from({ length: this.program.components }, (_, c) => this.hooks.memo.state(c, ids[c]!));
  }

  group(part: number, ids: Int32Array): void {
    const reads: Read[] = [];
    const r = this.hooks.group(part, this.recording(ids, reads)) ? 1 : 0;
    const C = this.program.components;
    for (const { code } of reads) {
      const c = code <= C ? code - 1 : (code - C - 1) % C;
      this.tables.groupReads[part * ((C + 31) >> 5) + (c >> 5)]! |= 1 << (c & 31);
      addCode(this.tables.groupCodes, part * CODES_STRIDE, code, C);
    }
    this.insertPath('groupNodes', 'groupNodeCount', this.tables.groupEdges, part, reads, r);
  }

  /**
   * The machines of state `ids` as an array that records what a check reads, in order: a machine's whole state (by
   * index), or a projection of it (through `observe`), each once.
   */
  private recording(ids: Int32Array, reads: Read[]): readonly MachineState<unknown>[] {
    const C = this.program.components;
    const states = this.machines(ids);
    const seen = new Set<number>();
    const note = (code: number, key: number): void => {
      if (seen.has(code)) return;
      seen.add(code);
      reads.push({ code, key });
    };
    const observer = <T>(c: number, f: (m: MachineState<unknown>) => T): T => {
      const value = f(states[c]!);
      const q = this.projection(f as (m: MachineState<unknown>) => unknown);
      const vid = this.projectionValue(q, c, ids[c]!, value);
      note(C + 1 + q * C + c, vid);
      return value;
    };
    return new Proxy(states, {
      get(target, prop, receiver) {
        if (prop === OBSERVE) return observer;
        if (typeof prop === 'string' && /^[0-9]+$/.test(prop)) {
          const c = Number(prop);
          if (c < C) note(c + 1, ids[c]!);
        }
        return Reflect.get(target, prop, receiver);
      },
    });
  }

  /** The index of projection `f` (registered on first use). */
  private projection(f: (m: MachineState<unknown>) => unknown): number {
    let q = this.projections.get(f);
    if (q === undefined) {
      q = this.projections.size;
      this.projections.set(f, q);
      this.projectionValues.push(new Map());
      const C = this.program.components;
      for (let c = 0; c < C; c++) this.tables.proj.push(sharedInts(64));
      this.touched();
    }
    return q;
  }

  /** The value id of projection q of component c in state `state` (its value `value`), recorded in the tables. */
  private projectionValue(q: number, c: number, state: number, value: unknown): number {
    const values = this.projectionValues[q]!;
    const key = value === undefined ? '#undefined' : canonicalJson(value);
    let vid = values.get(key);
    if (vid === undefined) {
      vid = values.size;
      values.set(key, vid);
    }
    const t = this.tables;
    const x = q * this.program.components + c;
    const a = ensureLength(t.proj[x]!, state + 1);
    if (a !== t.proj[x]) {
      t.proj[x] = a;
      this.touched();
    }
    a[state] = vid + 1;
    return vid;
  }

  /**
   * Record in a trie that, from `root`, a check read components `reads` (in that order, with the ids in `ids`) and
   * found `result`. A different path for the same reads means the check is not a function of what it read.
   */
  private insertPath(name: 'groupNodes' | 'checkNodes', count: 'groupNodeCount' | 'checkNodeCount', edges: DenseTable, root: number, reads: readonly Read[], result: number): void {
    const t = this.tables;
    let node = root;
    for (const { code, key } of reads) {
      const v = t[name][node]!;
      if (v === 0) t[name][node] = code;
      else if (v !== code) throw new Error('packed network: a check read different machines from the same ones (is it a pure function of the states?)');
      let child = edges.get(node, key);
      if (child < 0) {
        child = t[count]++;
        this.grow(name, child + 1);
        this.pair(edges, node, key, child);
      }
      node = child;
    }
    const leaf = -(result + 1);
    const v = t[name][node]!;
    if (v === 0) t[name][node] = leaf;
    else if (v !== leaf) throw new Error('packed network: a check gave two results on the same machines');
  }

  // ---- step checks and flags ---------------------------------------------------------------------------------------

  plist(list: number, e: number): void {
    const probes = [...this.plistProbes[list]!, ...this.hooks.memo.effect(e).probes];
    const id = this.plistProbes.length;
    this.plistProbes.push(probes);
    this.pair(this.tables.plist, list, e, id + 1);
  }

  /** Record what the step checks, all of them in order, flag for probe list `plist` on the pre-state `pre`. */
  check(plist: number, pre: Int32Array): void {
    const t = this.tables;
    this.grow('checkRoot', plist + 1);
    let root = t.checkRoot[plist]!;
    if (root === 0) {
      const node = t.checkNodeCount++;
      this.grow('checkNodes', node + 1);
      t.checkRoot[plist] = node + 1;
      root = node + 1;
    }
    const reads: Read[] = [];
    const machines = this.recording(pre, reads);
    const flags: StepFlag[] = [];
    const probes = this.plistProbes[plist]!;
    for (let k = 0; k < this.program.stepChecks; k++) flags.push(...this.hooks.stepCheck(k, machines, probes));
    const ops: number[] = [];
    if (this.program.counterOps === true) this.hooks.counterOps!(machines, probes, ops);
    this.insertPath('checkNodes', 'checkNodeCount', t.checkEdges, root - 1, reads, this.internResult(this.internFlags(flags), ops));
    this.grow('checkCodes', (plist + 1) * CODES_STRIDE);
    for (const { code } of reads) addCode(t.checkCodes, plist * CODES_STRIDE, code, this.program.components);
  }

  private readonly resultIds = new Map<string, number>();

  /** The id of a step-check result: a flag list and counter operations (0: neither). */
  private internResult(flags: number, ops: readonly number[]): number {
    if (flags === 0 && ops.length === 0) return 0;
    const key = `${flags}|${ops.join(',')}`;
    let id = this.resultIds.get(key);
    if (id !== undefined) return id;
    id = this.resultIds.size + 1;
    this.resultIds.set(key, id);
    const at = this.append('resData', 'resUsed', [ops.length / 4, ...ops]);
    this.grow('resFlags', id + 1);
    this.grow('resStart', id + 1);
    this.tables.resFlags[id] = flags;
    this.tables.resStart[id] = at + 1;
    return id;
  }

  /** The id of a flag list (0: empty). */
  internFlags(flags: readonly StepFlag[]): number {
    if (flags.length === 0) return 0;
    const key = JSON.stringify(flags.map((f) => [f.property, f.message]));
    let id = this.flagIds.get(key);
    if (id !== undefined) return id;
    id = this.flagLists.length;
    this.flagIds.set(key, id);
    this.flagLists.push(flags.map((f) => ({ property: f.property, message: f.message })));
    let mask = 0;
    for (const f of flags) {
      const p = this.hooks.flagProperty(f);
      if (p >= 0) mask |= 1 << p;
    }
    this.grow('flagMask', id + 1);
    this.tables.flagMask[id] = mask;
    return id;
  }

  flagConcat(list: number, fragment: number): void {
    const id = this.internFlags([...this.flagLists[list]!, ...this.flagLists[fragment]!]);
    this.pair(this.tables.flagConcat, list, fragment, id + 1);
  }
}

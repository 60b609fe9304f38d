/**
 * A network of machines as a packed model (src/explore/packed/model.ts): successors and properties computed from a
 * state's words through the shared tables alone. The same code runs in the thread that owns the machines (with a
 * `Filler` that steps a machine, interns a state or decides a check on first need) and in worker threads (without:
 * an unknown cell is a miss, and the state is handed to the owner).
 *
 * A delivery is `Network.deliver` on ids: the receiver's memoized step, then the synchronous cascade of sends, each a
 * table lookup; the effects' deferred items join the pending multiset, their probes adjust the environment's
 * counters and feed the step checks.
 */
import type { Layout } from '../../explore/packed/layout.js';
import { MISS, type PackedModel, type Successors } from '../../explore/packed/model.js';
import { envField, fieldCount, flagField, pendingField, type Program } from './program.js';
import { CODES_STRIDE, MAX_CODES, ResultCache } from './cache.js';
import type { DenseTable } from './shared.js';
import { CELL_BAD, CELL_DISABLED, CELL_UNKNOWN, DECIDED, Tables, type StepView } from './tables.js';

/** What the owner does when a lookup misses: fill the tables (then the lookup is repeated). */
export interface Filler {
  cell(c: number, state: number, event: number): void;
  setAdd(set: number, pid: number): void;
  setRemove(set: number, pid: number): void;
  stateActions(k: number, state: number): void;
  decide(c: number, state: number): void;
  group(part: number, ids: Int32Array): void;
  plist(list: number, effect: number): void;
  check(plist: number, pre: Int32Array): void;
  flagConcat(list: number, fragment: number): void;
}

/**
 * States whose decoded fields `check` can reuse as a parent's: the breadth-first search expands up to 8 states before
 * it stores (and checks) their successors (bfs.ts's BATCH). A power of two.
 */
const READ_SLOTS = 8;

/** A synchronous cascade this long is a send loop: a specification error (Network's MAX_CASCADE). */
const MAX_CASCADE = 100_000;

/** Results of `deliver`. */
const OK = 0;
const FAILED = 1;
const MISSED = 2;

/**
 * What a MISSED delivery or check lacks (`PackedNetwork.need`): an index into FILLS, the Filler call that fills it
 * (with the miss's arguments a, b, c, and `pre`: the machine ids a step check or group part read).
 */
type Fill = (f: Filler, a: number, b: number, c: number, pre: Int32Array) => void;
const FILLS: Fill[] = [];
const fillBy = (fill: Fill): number => FILLS.push(fill) - 1;
const NEED_CELL = fillBy((f, a, b, c) => f.cell(a, b, c));
const NEED_SET_ADD = fillBy((f, a, b) => f.setAdd(a, b));
const NEED_SET_REMOVE = fillBy((f, a, b) => f.setRemove(a, b));
const NEED_PLIST = fillBy((f, a, b) => f.plist(a, b));
const NEED_CHECK = fillBy((f, a, _b, _c, pre) => f.check(a, pre));
const NEED_FLAGS = fillBy((f, a, b) => f.flagConcat(a, b));
const NEED_DECIDE = fillBy((f, a, b) => f.decide(a, b));
const NEED_GROUP = fillBy((f, a, _b, _c, pre) => f.group(a, pre));
const NEED_STATE_ACTIONS = fillBy((f, a, b) => f.stateActions(a, b));

export class PackedNetwork implements PackedModel {
  readonly fields: number;
  readonly fieldHints: number[];
  private readonly C: number;
  private readonly P: number;
  private readonly F: number;
  /** The parent's fields, and the successor being built (same layout: ids, pending set, counters, flags). */
  private pF: Int32Array;
  private readonly dF: Int32Array;
  /**
   * Fields the draft set since `begin`, in order, repeats allowed (a repeat costs less than testing for one), so that
   * a draft is reset and written in O(changes).
   */
  private touched: Int32Array;
  private touchedCount = 0;
  /**
   * This thread's caches of group parts' and step checks' results (cache.ts). 2^15 slots (1 MiB) for group parts:
   * a walk of their tries (several cache misses in a table of megabytes) is rarer than with 2^14 (3 × 3, every
   * property: 89,797 walks instead of 175,538; 2^16: 50,475).
   */
  private readonly groupCache = new ResultCache(15);
  private readonly checkCache = new ResultCache(12);
  /** A later delivery's pre-state machines, for its step checks (an action's first delivery reads the parent's). */
  private readonly preF: Int32Array;
  private queue = new Int32Array(64);
  private readonly sum: Int32Array;
  /**
   * The environment's actions as one array: per action [guards n, (field, min)…, updates n, (field, delta, max)…,
   * deliveries n, (to, event, stale 0/1)…], fields as indices into the state's fields.
   */
  private readonly envCode: Int32Array;
  private readonly envActions: number;
  /** Whether deliveries feed step checks or history counters (then a cascade collects its probe list). */
  private readonly hasChecks: boolean;

  constructor(
    readonly tables: Tables,
    private readonly filler: Filler | null,
  ) {
    const p = tables.program;
    this.C = p.components;
    this.P = pendingField(p);
    this.F = flagField(p);
    this.fields = fieldCount(p);
    this.fieldHints = [...new Array<number>(p.components + 1).fill(7), ...p.envHints, 1];
    this.readFields = Array.from({ length: READ_SLOTS }, () => new Int32Array(this.fields));
    this.pF = this.readFields[0]!;
    this.dF = new Int32Array(this.fields);
    this.preF = new Int32Array(this.fields);
    this.cF = new Int32Array(this.fields);
    this.qF = new Int32Array(this.fields);
    this.par = this.qF;
    this.changed = new Int32Array(this.C);
    this.readWords = (this.C + 31) >> 5;
    this.changedBits = new Int32Array(this.readWords);
    const env0 = this.P + 1;
    this.alwaysCode = Int32Array.from(
      p.properties.flatMap((shape, i) =>
        shape.kind !== 'always'
          ? []
          : [i, shape.bounds?.length ?? 0, ...(shape.bounds ?? []).flatMap((b) => [env0 + b.field, b.min, b.max]), shape.groups.length, ...shape.groups, shape.sums !== undefined ? 1 : 0],
      ),
    );
    this.touched = new Int32Array(4 * this.fields);
    this.sum = new Int32Array(Math.max(1, p.sumWidth));
    this.hasChecks = p.stepChecks > 0 || p.counterOps === true;
    this.envActions = p.envActions.length;
    this.envCode = Int32Array.from(
      p.envActions.flatMap((act) => [
        act.guards.length,
        ...act.guards.flatMap((g) => [env0 + g.field, g.min]),
        act.updates.length,
        ...act.updates.flatMap((u) => [env0 + u.field, u.delta, u.max ?? 0x7fffffff]),
        act.deliveries.length,
        ...act.deliveries.flatMap((d) => [d.to, d.event, d.stale ? 1 : 0]),
      ]),
    );
  }

  private get program(): Program {
    return this.tables.program;
  }

  private read(keys: Int32Array, at: number, L: Layout): void {
    this.touchedCount = 0;
    const slot = (this.readSlot + 1) & (READ_SLOTS - 1);
    this.readSlot = slot;
    this.pF = this.readFields[slot]!;
    L.decoder(keys, at, this.pF);
    this.dF.set(this.pF);
    if (this.readKeys[slot]!.length !== L.words) this.readKeys[slot] = new Int32Array(L.words);
    if (this.dW.length !== L.words) this.dW = new Int32Array(L.words);
    this.readKey = this.readKeys[slot]!;
    for (let k = 0; k < L.words; k++) this.readKey[k] = this.dW[k] = keys[at + k]!;
    this.readLayouts[slot] = L;
    this.word = L.word;
    this.shift = L.shift;
    this.mask = L.mask;
    this.unfit = false;
  }

  /** Set draft field `f` (in the fields and in the key words). */
  private put(f: number, v: number): void {
    if (this.touchedCount === this.touched.length) {
      const t = new Int32Array(this.touched.length * 2);
      t.set(this.touched);
      this.touched = t;
    }
    this.touched[this.touchedCount++] = f;
    this.dF[f] = v;
    const m = this.mask[f]!;
    if (v > m || v < 0) this.unfit = true;
    else {
      const w = this.word[f]!;
      const s = this.shift[f]!;
      this.dW[w] = (this.dW[w]! & ~(m << s)) | (v << s);
    }
  }

  /** Start a successor: the draft back to the parent. */
  private begin(): void {
    const touched = this.touched;
    for (let i = 0; i < this.touchedCount; i++) {
      const f = touched[i]!;
      this.dF[f] = this.pF[f]!;
    }
    this.touchedCount = 0;
    const dW = this.dW;
    for (let k = 0; k < dW.length; k++) dW[k] = this.readKey[k]!;
    this.unfit = false;
    // A successor's step flags are those of its own step.
    if (this.pF[this.F] !== 0) this.put(this.F, 0);
  }

  /**
   * Write the successor into `out`: the draft's key words. A successor equal to its parent (a rejected arrival, a
   * stale timer) is a self-loop: counted by the caller, not written. A draft with a value too wide for its field is
   * written field by field, so that the layout records the overflow (and the search widens it).
   */
  private emit(keys: Int32Array, at: number, L: Layout, out: Successors, action: number): void {
    if (this.unfit) {
      let i = 0;
      while (i < this.touchedCount && this.dF[this.touched[i]!] === this.pF[this.touched[i]!]) i++;
      if (i === this.touchedCount) return;
      const o = out.add(keys, at, action);
      const k = out.keys;
      for (; i < this.touchedCount; i++) {
        const f = this.touched[i]!;
        if (this.dF[f] !== this.pF[f]) L.set(k, o, f, this.dF[f]!);
      }
      return;
    }
    const dW = this.dW;
    let k = 0;
    while (k < dW.length && dW[k] === this.readKey[k]) k++;
    if (k === dW.length) return;
    out.add(dW, 0, action);
  }

  /** The draft's key words (the parent's in `readKey`), and the layout's placement of fields, from `read`. */
  private dW = new Int32Array(0);
  private word: Int32Array = new Int32Array(0);
  private shift: Int32Array = new Int32Array(0);
  private mask: Int32Array = new Int32Array(0);
  /** Whether the draft set a field to a value its layout cannot hold. */
  private unfit = false;

  expand(keys: Int32Array, at: number, L: Layout, out: Successors): number {
    const t = this.tables;
    const program = this.program;
    this.read(keys, at, L);
    const set = this.pF[this.P]!;
    let a = 0;
    let r: number;
    // The environment's actions (`envCode`).
    const code = this.envCode;
    const pF = this.pF;
    for (let p = 0, x = 0; x < this.envActions; x++) {
      let enabled = true;
      const guards = code[p++]!;
      for (let g = 0; g < guards; g++, p += 2) if (pF[code[p]!]! < code[p + 1]!) enabled = false;
      const body = p;
      p += 3 * code[p]! + 1;
      p += 3 * code[p]! + 1;
      if (!enabled) continue;
      while ((r = this.envAction(body)) === MISSED) if (!this.fill()) return MISS;
      if (r === FAILED) {
        out.error = a;
        return a;
      }
      this.emit(keys, at, L, out, a++);
    }
    // One delivery per distinct pending item.
    if (set >= t.setStart.length || t.setStart[set] === 0) return MISS; // a multiset only the owner knows (after widening)
    const n = t.setData[t.setStart[set]! - 1]!;
    for (let i = 0; i < n; i++) {
      const start = t.setStart[set]! - 1; // the data may move when the owner adds a set
      const pid = t.setData[start + 1 + i]!;
      if (i > 0 && t.setData[start + i] === pid) continue;
      while ((r = this.pendingDelivery(set, pid)) === MISSED) if (!this.fill()) return MISS;
      if (r === FAILED) {
        out.error = a;
        return a;
      }
      this.emit(keys, at, L, out, a++);
    }
    // The actions component states offer.
    const providers = program.stateActionComponents;
    for (let k = 0; k < providers.length; k++) {
      const c = providers[k]!;
      const id = this.pF[c]!;
      let s: number;
      while ((s = this.actionsAt(k, id)) < 0) if (!this.fill()) return MISS;
      const m = t.actData[s]!;
      for (let j = 0; j < m; j++) {
        const to = t.actData[s + 1 + 2 * j]!; // re-read: a fill may move the data, not its offset
        const ev = t.actData[s + 2 + 2 * j]!;
        while ((r = this.stateDelivery(to, ev)) === MISSED) if (!this.fill()) return MISS;
        if (r === FAILED) {
          out.error = a;
          return a;
        }
        this.emit(keys, at, L, out, a++);
      }
    }
    return a;
  }

  /** Where the actions of state `id` of state-action component `k` start in `actData`, or −1 (`need` set). */
  private actionsAt(k: number, id: number): number {
    const a = this.tables.actStart[k]!;
    const s = id < a.length ? a[id]! - 1 : -1;
    if (s < 0) this.miss(NEED_STATE_ACTIONS, k, id, 0);
    return s;
  }

  /**
   * The draft of the environment's action whose updates start at `envCode[p]`: OK, FAILED, or MISSED (`need` says
   * what the tables lack; the owner fills it and the action is taken again from the parent).
   */
  private envAction(p: number): number {
    const code = this.envCode;
    const dF = this.dF;
    this.begin();
    const updates = code[p++]!;
    for (let u = 0; u < updates; u++, p += 3) {
      const f = code[p]!;
      this.put(f, Math.min(dF[f]! + code[p + 1]!, code[p + 2]!));
    }
    const deliveries = code[p++]!;
    for (let d = 0; d < deliveries; d++, p += 3) {
      const r = this.deliver(code[p]!, code[p + 1]!, code[p + 2] === 1, d === 0);
      if (r !== OK) return r;
    }
    return OK;
  }

  /** The draft of the delivery of pending item `pid` from multiset `set` (as `envAction`). */
  private pendingDelivery(set: number, pid: number): number {
    const t = this.tables;
    this.begin();
    const rest = t.setRemove.get(set, pid);
    if (rest < 0) return this.miss(NEED_SET_REMOVE, set, pid, 0);
    this.put(this.P, rest - 1);
    return this.deliver(t.pendTo[pid]!, t.pendEv[pid]!, true, true);
  }

  /** The draft of a component state's action: `event` delivered to `to` (as `envAction`). */
  private stateDelivery(to: number, event: number): number {
    this.begin();
    return this.deliver(to, event, false, true);
  }

  /**
   * What the last MISSED delivery or check lacked (NEED_*, with its arguments; `needPre`: the machine ids a step
   * check or group part read). The hot loops never call the owner: they stop, the owner fills this one thing, and
   * the action (or the check) is taken again.
   */
  private need = -1;
  private needA = 0;
  private needB = 0;
  private needC = 0;
  private needPre: Int32Array = new Int32Array(0);

  private miss(kind: number, a: number, b: number, c: number): number {
    this.need = kind;
    this.needA = a;
    this.needB = b;
    this.needC = c;
    return MISSED;
  }

  /** Have the owner fill what the last MISSED delivery or check lacked; false when there is no owner here. */
  private fill(): boolean {
    const f = this.filler;
    if (f === null) return false;
    const fill = FILLS[this.need];
    if (fill === undefined) throw new Error(`packed network: nothing to fill (need ${this.need})`);
    fill(f, this.needA, this.needB, this.needC, this.needPre);
    return true;
  }

  /**
   * The step cell's next value for (c, state, event) — CELL_DISABLED, CELL_BAD, or next id + 1, with the offset + 1
   * of its effect record in `cellEffect` (0: an effect with nothing to do) — or CELL_UNKNOWN (`need` set).
   */
  private cell(c: number, state: number, event: number): number {
    const t: StepView = this.tables;
    const m = 2 * (c * t.stepEvents + event);
    const base = event < t.stepEvents ? t.stepMeta[m]! - 1 : -1;
    if (base < 0 || state >= t.stepMeta[m + 1]! || t.stepCells[base + 2 * state] === CELL_UNKNOWN) {
      this.miss(NEED_CELL, c, state, event);
      return CELL_UNKNOWN;
    }
    const i = base + 2 * state;
    const cells = t.stepCells;
    this.cellEffect = cells[i + 1]!;
    return cells[i]!;
  }

  private cellEffect = 0;

  /**
   * Deliver `event` to component `to` of the draft, with its cascade and bookkeeping. `first`: the draft's machines
   * are still the parent's (the action's first delivery), which the step checks then read as the pre-state.
   */
  private deliver(to: number, event: number, stale: boolean, first: boolean): number {
    const t = this.tables;
    const hasChecks = this.hasChecks;
    const dF = this.dF;
    let v = this.cell(to, dF[to]!, event);
    if (v === CELL_UNKNOWN) return MISSED;
    if (v === CELL_DISABLED) return stale ? OK : FAILED;
    if (v === CELL_BAD) return FAILED;
    // The step checks read the delivery's pre-state: the parent's machines, or (a later delivery) a copy.
    let pre = this.pF;
    if (hasChecks && !first) {
      pre = this.preF;
      for (let k = 0; k < this.C; k++) pre[k] = dF[k]!;
    }
    let plist = 0;
    let tail = 0;
    let head = -1;
    let c = to;
    for (;;) {
      this.put(c, v - 1);
      let p = this.cellEffect;
      if (p !== 0) {
        // The effect's record (tables.ts): sends, pending items, counter changes, probes.
        const d = t.effData;
        const sends = d[p++]!;
        if (tail + 2 * sends > this.queue.length) this.growQueue(tail + 2 * sends);
        const queue = this.queue;
        for (let j = 0; j < sends; j++) {
          queue[tail++] = d[p++]!;
          queue[tail++] = d[p++]!;
        }
        const adds = d[p++]!;
        for (let j = 0; j < adds; j++) {
          const pid = d[p++]!;
          const from = dF[this.P]!;
          const next = t.setAdd.get(from, pid);
          if (next < 0) return this.miss(NEED_SET_ADD, from, pid, 0);
          this.put(this.P, next - 1);
        }
        const deltas = d[p++]!;
        for (let j = 0; j < deltas; j++) {
          const f = this.P + 1 + d[p++]!;
          this.put(f, dF[f]! + d[p++]!);
        }
        if (hasChecks && d[p]! !== 0) {
          const e = d[this.cellEffect - 1]!;
          const l = t.plist.get(plist, e);
          if (l < 0) return this.miss(NEED_PLIST, plist, e, 0);
          plist = l - 1;
        }
      }
      // The next synchronous send, if any.
      head += 2;
      if (head >= tail) break;
      if (head >= MAX_CASCADE * 2) return FAILED;
      c = this.queue[head - 1]!;
      v = this.cell(c, dF[c]!, this.queue[head]!);
      if (v === CELL_UNKNOWN) return MISSED;
      if (v === CELL_DISABLED || v === CELL_BAD) return FAILED;
    }
    if (plist === 0) return OK;
    const r = this.stepResult(plist, pre);
    if (r === MISS) {
      this.needPre = pre;
      return this.miss(NEED_CHECK, plist, 0, 0);
    }
    return this.stepEffects(r);
  }

  private growQueue(length: number): void {
    let n = this.queue.length * 2;
    while (n < length) n *= 2;
    const q = new Int32Array(n);
    q.set(this.queue);
    this.queue = q;
  }

  /** The result id of the step checks of probe list `plist` on the pre-state machines `pre`, or MISS. */
  private stepResult(plist: number, pre: Int32Array): number {
    const t = this.tables;
    const root = plist < t.checkRoot.length ? t.checkRoot[plist]! : 0;
    if (root === 0) return MISS;
    const leaf = t.checkNodes[root - 1]!;
    if (leaf < 0) return -(leaf + 1); // checks that read no machine on this probe list
    const hit = this.checkCache.lookup(plist, t.checkCodes, plist * CODES_STRIDE, pre, t.proj);
    if (hit >= 0) return hit;
    const r = walk(t.checkNodes, t.checkEdges, root - 1, pre, this.C, t.proj);
    if (r !== MISS) this.checkCache.remember(r);
    return r;
  }

  /** Perform step-check result `r`: its counter operations and flags. */
  private stepEffects(r: number): number {
    const t = this.tables;
    if (r === 0) return OK;
    const ops = t.resStart[r]! - 1;
    const n = t.resData[ops]!;
    const env0 = this.P + 1;
    for (let j = 0, p = ops + 1; j < n; j++, p += 4) {
      const f = env0 + t.resData[p]!;
      this.put(f, Math.min(t.resData[p + 3]!, Math.max(t.resData[p + 2]!, this.dF[f]! + t.resData[p + 1]!)));
    }
    const fragment = t.resFlags[r]!;
    if (fragment === 0) return OK;
    const flag = this.dF[this.F]!;
    const f = t.flagConcat.get(flag, fragment);
    if (f < 0) return this.miss(NEED_FLAGS, flag, fragment, 0);
    this.put(this.F, f - 1);
    return OK;
  }

  /** Local-part bits of component `c` in `state` (`wit`: the witness bits), or MISS. */
  private bits(c: number, state: number, wit: boolean): number {
    const t = this.tables;
    const a = wit ? t.wit[c]! : t.fail[c]!;
    const v = state < a.length ? a[state]! : 0;
    if ((v & DECIDED) === 0) {
      this.miss(NEED_DECIDE, c, state, 0);
      return MISS;
    }
    return v & ~DECIDED;
  }

  /**
   * The first 'always' property the state violates, −1, or MISS. With `parent` (a state that satisfied them all),
   * only what the step changed is looked at: the local parts of the machines that changed, the group parts that read
   * one of them, and the sums through the changes' differences.
   */
  check(keys: Int32Array, at: number, L: Layout, parent?: Int32Array, parentAt?: number): number {
    for (;;) {
      const r = this.checkOnce(keys, at, L, parent, parentAt);
      if (r !== MISS || !this.fill()) return r;
    }
  }

  /** `check`, or MISS (`need` says what the tables lack). */
  private checkOnce(keys: Int32Array, at: number, L: Layout, parent?: Int32Array, parentAt?: number): number {
    const t = this.tables;
    const cF = this.cF;
    L.decoder(keys, at, cF);
    const incremental = parent !== undefined;
    const C = this.C;
    let nChanged = 0;
    const changed = this.changed;
    const bits = this.changedBits;
    for (let w = 0; w < this.readWords; w++) bits[w] = 0;
    if (incremental) {
      // The parent is usually one of the last states expanded (a breadth-first search expands a few before it
      // stores their successors), whose fields `read` decoded: look from the slot that matched last.
      let q = this.qF;
      for (let i = 0, s = this.parentSlot; i < READ_SLOTS; i++, s = (s + 1) & (READ_SLOTS - 1)) {
        if (this.readLayouts[s] === L && sameKey(parent, parentAt!, this.readKeys[s]!, L.words)) {
          q = this.readFields[s]!;
          this.parentSlot = s;
          break;
        }
      }
      if (q === this.qF) L.decoder(parent, parentAt!, q);
      this.par = q;
      for (let c = 0; c < C; c++) {
        if (q[c] !== cF[c]) {
          changed[nChanged++] = c;
          bits[c >> 5]! |= 1 << (c & 31);
        }
      }
    } else {
      for (let c = 0; c < C; c++) {
        changed[nChanged++] = c;
        bits[c >> 5]! |= 1 << (c & 31);
      }
    }
    // Which of the codes the group parts read moved (bit k: code k of `codeIndex`), from the changed machines.
    let moved = 0;
    const byCode = incremental && this.codeIndex(t.groupCodes);
    if (byCode) {
      const starts = this.compCodeStart;
      const proj = t.proj;
      const q = this.par;
      for (let i = 0; i < nChanged; i++) {
        const c = changed[i]!;
        for (let j = starts[c]!; j < starts[c + 1]!; j++) {
          const k = this.compCodes[j]!;
          const x = this.codeProj[k]!;
          if (x >= 0) {
            // A projection that did not move counts as unchanged (an unknown value as moved).
            const a = proj[x];
            const now = cF[c]!;
            const was = q[c]!;
            if (a !== undefined && now < a.length && was < a.length) {
              const v = a[now]!;
              if (v !== 0 && v === a[was]) continue;
            }
          }
          moved |= 1 << k;
        }
      }
    }
    const flag = cF[this.F]!;
    let fails = flag === 0 ? 0 : t.flagMask[flag]!;
    for (let i = 0; i < nChanged; i++) {
      const c = changed[i]!;
      const b = this.bits(c, cF[c]!, false);
      if (b === MISS) return MISS;
      fails |= b;
    }
    // The 'always' properties' parts (`alwaysCode`).
    const code = this.alwaysCode;
    const RW = this.readWords;
    for (let x = 0; x < code.length; ) {
      const p = code[x++]!;
      if ((fails & (1 << p)) !== 0) return p;
      const bounds = code[x++]!;
      for (let b = 0; b < bounds; b++, x += 3) {
        const v = cF[code[x]!]!;
        if (v < code[x + 1]! || v > code[x + 2]!) return p;
      }
      const groups = code[x++]!;
      for (let g = 0; g < groups; g++) {
        const part = code[x++]!;
        if (byCode) {
          // None of its codes moved: it reads what it read in the parent, and gives what it gave there.
          if ((this.partCodes[part]! & moved) === 0) continue;
        } else if (incremental) {
          // Codes not indexed (see codeIndex): decided again if it ever read a changed machine.
          let affected = false;
          for (let w = 0; w < RW; w++) if ((t.groupReads[part * RW + w]! & bits[w]!) !== 0) affected = true;
          if (!affected) continue;
        }
        const r = this.group(part, cF);
        if (r === MISS) return MISS;
        if (r === 1) return p;
      }
      if (code[x++] === 0) continue;
      const sums = this.program.properties[p]!.sums!;
      if (!(incremental ? this.sumsStillHold(sums.fields, sums.offset, nChanged) : this.sumsHold(cF, sums.fields, sums.offset))) return p;
    }
    return -1;
  }

  /**
   * The state `check` looks at, its parent's fields (one of `read`'s slots when the parent is among the states last
   * read, else decoded into `qF`), and the components that differ from it (a list, and bits: component c at bit c & 31 of word c >> 5).
   */
  private readonly cF: Int32Array;
  private readonly qF: Int32Array;
  private par: Int32Array;
  private readonly changed: Int32Array;
  private readonly changedBits: Int32Array;
  /** Words per group part in `Tables.groupReads`. */
  private readonly readWords: number;
  /**
   * The last READ_SLOTS states `read` decoded, round robin: fields, keys and layouts; `pF` and `readKey` are the
   * current slot's (`readSlot`), `parentSlot` the slot where `check` last found a parent.
   */
  private readonly readFields: Int32Array[];
  private readonly readKeys: Int32Array[] = Array.from({ length: READ_SLOTS }, () => new Int32Array(0));
  private readonly readLayouts: (Layout | undefined)[] = new Array<Layout | undefined>(READ_SLOTS).fill(undefined);
  private readSlot = 0;
  private parentSlot = 0;
  private readKey: Int32Array = new Int32Array(0);
  /**
   * The 'always' properties as one array: per property [index, bounds n, (field, min, max)…, group parts n, part…,
   * has sums 0/1] (the sums, rarer, are read from the program).
   */
  private readonly alwaysCode: Int32Array;

  /**
   * Whether the group parts' code lists are indexed (per code k its projection `codeProj[k]`, per component its code indices in
   * `compCodes` from `compCodeStart[c]`, per part the bits of its codes in `partCodes`), re-indexing them when the
   * owner has added a code since (each addition raises one list's length, so the lengths' sum tells). False when
   * they cannot be: more than 32 distinct codes, or a list too long to be kept (then a part that read a changed
   * machine is decided again).
   */
  private codeIndex(codes: Int32Array): boolean {
    const parts = this.program.groupParts;
    let sum = 0;
    for (let part = 0; part < parts; part++) sum += codes[part * CODES_STRIDE]!;
    if (sum === this.codesSum) return this.codesIndexed;
    this.codesSum = sum;
    this.codesIndexed = false;
    const comp: number[] = [];
    const projOf: number[] = [];
    const partCodes = new Int32Array(parts);
    for (let part = 0; part < parts; part++) {
      const base = part * CODES_STRIDE;
      const n = codes[base]!;
      if (n > MAX_CODES) return false;
      for (let i = 0; i < n; i++) {
        const c = codes[base + 1 + 2 * i]!;
        const x = codes[base + 2 + 2 * i]!;
        let k = 0;
        while (k < comp.length && (comp[k] !== c || projOf[k] !== x)) k++;
        if (k === comp.length) {
          if (k === 32) return false;
          comp.push(c);
          projOf.push(x);
        }
        partCodes[part]! |= 1 << k;
      }
    }
    const starts = new Int32Array(this.C + 1);
    const list: number[] = [];
    for (let c = 0; c < this.C; c++) {
      starts[c] = list.length;
      for (let k = 0; k < comp.length; k++) if (comp[k] === c) list.push(k);
    }
    starts[this.C] = list.length;
    this.codeProj = Int32Array.from(projOf);
    this.compCodes = Int32Array.from(list);
    this.compCodeStart = starts;
    this.partCodes = partCodes;
    this.codesIndexed = true;
    return true;
  }

  private codesSum = -1;
  private codesIndexed = false;
  private codeProj = new Int32Array(0);
  private compCodes = new Int32Array(0);
  private compCodeStart = new Int32Array(0);
  private partCodes = new Int32Array(0);

  /** Whether Σ over components of each count equals its counter (components that never held any are skipped). */
  private sumsHold(ids: Int32Array, fields: readonly number[], offset: number): boolean {
    const t = this.tables;
    const W = this.program.sumWidth;
    const n = fields.length;
    const sum = this.sum;
    for (let v = 0; v < n; v++) sum[v] = 0;
    for (let c = 0; c < this.C; c++) {
      if (t.counts[c] === 0) continue;
      const row = t.contrib[c]!;
      const at = ids[c]! * W + offset;
      for (let v = 0; v < n; v++) sum[v] = sum[v]! + row[at + v]!;
    }
    const env0 = this.P + 1;
    for (let v = 0; v < n; v++) if (sum[v] !== ids[env0 + fields[v]!]) return false;
    return true;
  }

  /** `sumsHold` from a parent where they held: the changed machines' counts moved as the counters did. */
  private sumsStillHold(fields: readonly number[], offset: number, nChanged: number): boolean {
    const t = this.tables;
    const W = this.program.sumWidth;
    const n = fields.length;
    const env0 = this.P + 1;
    const sum = this.sum;
    const cF = this.cF;
    const q = this.par;
    for (let v = 0; v < n; v++) sum[v] = cF[env0 + fields[v]!]! - q[env0 + fields[v]!]!;
    for (let i = 0; i < nChanged; i++) {
      const c = this.changed[i]!;
      if (t.counts[c] === 0) continue;
      const row = t.contrib[c]!;
      const now = cF[c]! * W + offset;
      const was = q[c]! * W + offset;
      for (let v = 0; v < n; v++) sum[v] = sum[v]! - row[now + v]! + row[was + v]!;
    }
    for (let v = 0; v < n; v++) if (sum[v] !== 0) return false;
    return true;
  }

  /** Result of group part `part` on the state in `ids` (0 holds / no witness, 1 fails / witnesses), or MISS. */
  private group(part: number, ids: Int32Array): number {
    const t = this.tables;
    const hit = this.groupCache.lookup(part, t.groupCodes, part * CODES_STRIDE, ids, t.proj);
    if (hit >= 0) return hit;
    const r = walk(t.groupNodes, t.groupEdges, part, ids, this.C, t.proj);
    if (r === MISS) {
      this.needPre = ids;
      this.miss(NEED_GROUP, part, 0, 0);
      return MISS;
    }
    this.groupCache.remember(r);
    return r;
  }

  witness(keys: Int32Array, at: number, L: Layout, property: number): number {
    for (;;) {
      const r = this.witnessOnce(keys, at, L, property);
      if (r !== MISS || !this.fill()) return r;
    }
  }

  /** `witness`, or MISS (`need` says what the tables lack). */
  private witnessOnce(keys: Int32Array, at: number, L: Layout, property: number): number {
    const shape = this.program.properties[property]!;
    this.read(keys, at, L);
    if (shape.local) {
      for (let c = 0; c < this.C; c++) {
        const b = this.bits(c, this.pF[c]!, true);
        if (b === MISS) return MISS;
        if ((b & (1 << property)) !== 0) return 1;
      }
    }
    for (let g = 0; g < shape.groups.length; g++) {
      const r = this.group(shape.groups[g]!, this.pF);
      if (r !== 0) return r === MISS ? MISS : 1;
    }
    return 0;
  }
}

/** Whether `keys[at..at + words)` equals `key`. */
function sameKey(keys: Int32Array, at: number, key: Int32Array, words: number): boolean {
  for (let k = 0; k < words; k++) if (keys[at + k] !== key[k]) return false;
  return true;
}

/**
 * Follow a decision trie from `node` reading the state ids `ids` (and the projections `proj` of C components): the
 * leaf's result, or MISS where the trie (or a projection) is not filled yet.
 */
export function walk(nodes: Int32Array, edges: DenseTable, node: number, ids: Int32Array, C: number, proj: readonly Int32Array[]): number {
  const cells = edges.cells;
  const cols = edges.cols;
  const rows = edges.rows;
  for (;;) {
    if (node >= nodes.length) return MISS;
    const v = nodes[node]!;
    if (v < 0) return -(v + 1);
    if (v === 0) return MISS;
    let key: number;
    if (v <= C) key = ids[v - 1]!;
    else {
      const x = v - C - 1;
      const a = proj[x];
      const id = ids[x % C]!;
      key = a !== undefined && id < a.length ? a[id]! - 1 : -1;
      if (key < 0) return MISS;
    }
    if (node >= rows || key >= cols) return MISS;
    const child = cells[node * cols + key]! - 1;
    if (child < 0) return MISS;
    node = child;
  }
}

/** For worker threads: the packed network over tables shared by the owner. */
export function packedNetworkWorker(data: unknown): PackedModel {
  const d = data as { tables: import('./tables.js').TablesData };
  return new PackedNetwork(new Tables(d.tables.program, d.tables), null);
}

export { envField };

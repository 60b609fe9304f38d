/**
 * Everything a packed network model looks up, in shared memory: the machines' memoized steps, their effects, the
 * pending items and multisets of them, the actions component states offer, and the properties decided per machine
 * state, per group of machine states and per step. The owner of the machines (owner.ts) fills them on first need;
 * workers read them and report a miss when a cell is not there yet.
 *
 * Memos of checks that read several machines (group parts, step checks) are decision tries: a node says which
 * component the check read next, an edge (node, that component's state id) leads on, and a leaf holds the result.
 * A check that reads few machines, or reads them conditionally, costs a few lookups, however many components exist.
 */
import type { Program } from './program.js';
import { CODES_STRIDE } from './cache.js';
import { DenseTable, PairTable, sharedInts } from './shared.js';

/** Step cells: 0 unknown, −1 disabled, −2 a specification error, else next state id + 1 (then the effect id). */
export const CELL_UNKNOWN = 0;
export const CELL_DISABLED = -1;
export const CELL_BAD = -2;

/** Per machine state: property bits, with DECIDED set once its parts are known. */
export const DECIDED = 1 << 30;

/**
 * Trie node values: 0 unfilled; c + 1 "read component c's state next" (edges keyed by its state id); C + 1 + q·C + c
 * "observe projection q of component c" (edges keyed by the projection's value id, `proj`); −(r + 1) a leaf, result r.
 */
export const NODE_UNFILLED = 0;

/**
 * The memoized steps of all components in one flat view, so that a step is two dependent reads: `stepMeta` at
 * 2 · (c · stepEvents + event) holds the offset + 1 of the (component c, event) column in `stepCells` (0: no column)
 * and the rows it has; the column holds per state id, at offset + 2 · state, the cell (CELL_* or next id + 1) and the
 * offset + 1 of the step's effect record in `effData` (0 for a disabled or bad step, or an effect that does nothing
 * a delivery sees). The owner re-lays the view when a column or rows are added (rare: a component meets few states
 * and events), and writes new cells in place.
 */
export interface StepView {
  readonly stepEvents: number;
  readonly stepMeta: Int32Array;
  readonly stepCells: Int32Array;
}

/** A DenseTable as data. */
export interface DenseShape {
  readonly cells: Int32Array;
  readonly rows: number;
  readonly cols: number;
}

const dense = (d: DenseShape): DenseTable => new DenseTable(d.rows, d.cols, d.cells);
const shapeOf = (t: DenseTable): DenseShape => ({ cells: t.cells, rows: t.rows, cols: t.cols });

export interface TablesData {
  readonly version: number;
  readonly program: Program;
  readonly stepEvents: number;
  readonly stepMeta: Int32Array;
  readonly stepCells: Int32Array;
  readonly effData: Int32Array;
  readonly pendTo: Int32Array;
  readonly pendEv: Int32Array;
  readonly setStart: Int32Array;
  readonly setData: Int32Array;
  readonly setAdd: DenseShape;
  readonly setRemove: DenseShape;
  readonly actStart: readonly Int32Array[];
  readonly actData: Int32Array;
  readonly fail: readonly Int32Array[];
  readonly wit: readonly Int32Array[];
  readonly contrib: readonly Int32Array[];
  readonly groupNodes: Int32Array;
  readonly groupEdges: DenseShape;
  readonly plist: DenseShape;
  readonly checkRoot: Int32Array;
  readonly counts: Int32Array;
  readonly checkNodes: Int32Array;
  readonly checkEdges: DenseShape;
  readonly resFlags: Int32Array;
  readonly resStart: Int32Array;
  readonly resData: Int32Array;
  readonly flagConcat: Int32Array;
  readonly flagMask: Int32Array;
  readonly proj: readonly Int32Array[];
  readonly groupReads: Int32Array;
  readonly groupCodes: Int32Array;
  readonly checkCodes: Int32Array;
}

export class Tables implements StepView {
  version = 0;
  readonly program: Program;
  stepEvents = 0;
  stepMeta: Int32Array;
  stepCells: Int32Array;
  /**
   * Effect records, each where a step cell points: [effect id, sends n, (to, event)…, pending adds n, pid…, counter
   * deltas n, (field, delta)…, has probes].
   */
  effData: Int32Array;
  effUsed = 0;
  pendTo: Int32Array;
  pendEv: Int32Array;
  /** Per pending multiset id: offset + 1 of [n, pid…] (sorted, with repeats) in `setData`. */
  setStart: Int32Array;
  setData: Int32Array;
  setUsed = 0;
  /** (set, pid) → set + 1 after adding / removing one pid. */
  setAdd: DenseTable;
  setRemove: DenseTable;
  /** Per state-action component, per state id: offset + 1 of [n, event…] in `actData`. */
  actStart: Int32Array[];
  actData: Int32Array;
  actUsed = 0;
  /** Per component, per state id: bits of the properties whose local part fails (always) or witnesses (sometimes). */
  fail: Int32Array[];
  wit: Int32Array[];
  /** Per component: the state's counts for `sums` properties, `program.sumWidth` per state id. */
  contrib: Int32Array[];
  /** Group parts' tries: roots are nodes 0 … groupParts − 1. */
  groupNodes: Int32Array;
  groupNodeCount: number;
  groupEdges: DenseTable;
  /** Probe lists: (list, effect with probes) → list + 1; list 0 is the empty list. */
  plist: DenseTable;
  /** Step checks (all together): per probe list, root node + 1; nodes and edges as for group parts. */
  checkRoot: Int32Array;
  /** Per component: 1 once one of its states had a non-zero count for a `sums` property (others are skipped). */
  counts: Int32Array;
  checkNodes: Int32Array;
  checkNodeCount = 0;
  checkEdges: DenseTable;
  /**
   * Step-check results (the leaves of the check tries): per result id, the flag fragment it adds, and offset + 1 of
   * its counter operations [n, (field, add, lo, hi)…] in `resData` (each `v := min(hi, max(lo, v + add))`).
   * Result 0 adds nothing.
   */
  resFlags: Int32Array;
  resStart: Int32Array;
  resData: Int32Array;
  resUsed = 0;
  /** Flag lists: (list, fragment list) → concatenation + 1; per list, the bits of the properties it flags. */
  flagConcat: PairTable;
  flagMask: Int32Array;
  /**
   * Per group part, ⌈C / 32⌉ words of bits: component c's bit (c & 31 of word c >> 5) is set once the part's trie reads
   * the component (or a projection of it).
   */
  groupReads: Int32Array;
  /** Per (projection q, component c) at q·C + c: per state id, the value id of that projection + 1 (0: unknown). */
  proj: Int32Array[];
  /**
   * Per group part (at part · CODES_STRIDE) and per probe list's step checks (at plist · CODES_STRIDE): the codes
   * any path of its trie reads, for the threads' result caches (cache.ts).
   */
  groupCodes: Int32Array;
  checkCodes: Int32Array;

  constructor(program: Program, data?: TablesData) {
    this.program = program;
    if (data !== undefined) {
      this.version = data.version;
      this.stepEvents = data.stepEvents;
      this.stepMeta = data.stepMeta;
      this.stepCells = data.stepCells;
      this.effData = data.effData;
      this.pendTo = data.pendTo;
      this.pendEv = data.pendEv;
      this.setStart = data.setStart;
      this.setData = data.setData;
      this.setAdd = dense(data.setAdd);
      this.setRemove = dense(data.setRemove);
      this.actStart = [...data.actStart];
      this.actData = data.actData;
      this.fail = [...data.fail];
      this.wit = [...data.wit];
      this.contrib = [...data.contrib];
      this.groupNodes = data.groupNodes;
      this.groupNodeCount = program.groupParts;
      this.groupEdges = dense(data.groupEdges);
      this.plist = dense(data.plist);
      this.checkRoot = data.checkRoot;
      this.counts = data.counts;
      this.checkNodes = data.checkNodes;
      this.checkEdges = dense(data.checkEdges);
      this.resFlags = data.resFlags;
      this.resStart = data.resStart;
      this.resData = data.resData;
      this.flagConcat = new PairTable(0, data.flagConcat);
      this.flagMask = data.flagMask;
      this.proj = [...data.proj];
      this.groupReads = data.groupReads;
      this.groupCodes = data.groupCodes;
      this.checkCodes = data.checkCodes;
      return;
    }
    const C = program.components;
    this.stepMeta = sharedInts(1);
    this.stepCells = sharedInts(1);
    this.effData = sharedInts(1024);
    this.pendTo = sharedInts(64);
    this.pendEv = sharedInts(64);
    this.setStart = sharedInts(64);
    this.setData = sharedInts(1024);
    this.setAdd = new DenseTable();
    this.setRemove = new DenseTable();
    this.actStart = program.stateActionComponents.map(() => sharedInts(64));
    this.actData = sharedInts(256);
    this.fail = Array.from({ length: C }, () => sharedInts(64));
    this.wit = Array.from({ length: C }, () => sharedInts(64));
    this.contrib = Array.from({ length: C }, () => sharedInts(64 * Math.max(1, program.sumWidth)));
    this.groupNodes = sharedInts(Math.max(64, program.groupParts * 2));
    this.groupNodeCount = program.groupParts;
    this.groupEdges = new DenseTable(64, 16);
    this.plist = new DenseTable();
    this.checkRoot = sharedInts(64);
    this.counts = sharedInts(C);
    this.checkNodes = sharedInts(64);
    this.checkEdges = new DenseTable(64, 16);
    this.resFlags = sharedInts(16);
    this.resStart = sharedInts(16);
    this.resData = sharedInts(64);
    this.flagConcat = new PairTable();
    this.flagMask = sharedInts(16);
    this.proj = [];
    this.groupReads = sharedInts(Math.max(1, program.groupParts * ((C + 31) >> 5)));
    this.groupCodes = sharedInts(Math.max(1, program.groupParts) * CODES_STRIDE);
    this.checkCodes = sharedInts(64 * CODES_STRIDE);
  }

  /** The tables as plain data for a worker (shared arrays are shared, not copied). */
  data(): TablesData {
    return {
      version: this.version,
      program: this.program,
      stepEvents: this.stepEvents,
      stepMeta: this.stepMeta,
      stepCells: this.stepCells,
      effData: this.effData,
      pendTo: this.pendTo,
      pendEv: this.pendEv,
      setStart: this.setStart,
      setData: this.setData,
      setAdd: shapeOf(this.setAdd),
      setRemove: shapeOf(this.setRemove),
      actStart: this.actStart,
      actData: this.actData,
      fail: this.fail,
      wit: this.wit,
      contrib: this.contrib,
      groupNodes: this.groupNodes,
      groupEdges: shapeOf(this.groupEdges),
      plist: shapeOf(this.plist),
      checkRoot: this.checkRoot,
      counts: this.counts,
      checkNodes: this.checkNodes,
      checkEdges: shapeOf(this.checkEdges),
      resFlags: this.resFlags,
      resStart: this.resStart,
      resData: this.resData,
      flagConcat: this.flagConcat.slots,
      flagMask: this.flagMask,
      proj: this.proj,
      groupReads: this.groupReads,
      groupCodes: this.groupCodes,
      checkCodes: this.checkCodes,
    };
  }
}

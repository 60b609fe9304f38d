/**
 * CPU cores as simulated resources.
 *
 * A core runs one job at a time, non-preemptively and to completion, taking queued jobs in FIFO order. A job is
 * CPU work a component asked for (`work(demand, then)`): it occupies the core for its demand, and when it is done
 * `then` goes back to the component. The core counts busy nanoseconds, in total and per component, so the
 * simulator can report utilisation. The queue is a growable ring of parallel arrays: no allocation per job.
 */
import type { EventObject } from '../machine/types.js';
import type { RandomStream } from './rng.js';
import { draw, isRandom, serviceTimeProblem, type ServiceTime } from './service.js';

export type DemandKey = string | readonly string[];

/** A demand key with no (valid) calibrated cost. */
export class DemandError extends Error {
  readonly key: string;
  constructor(key: string, reason: string) {
    super(`demand key '${key}': ${reason}`);
    this.name = 'DemandError';
    this.key = key;
  }
}

/** The validated service time of `key`; throws `DemandError` for a missing or malformed one. */
export function serviceOf(key: string, demandNs: (key: string) => ServiceTime): ServiceTime {
  let v: unknown;
  try {
    v = demandNs(key);
  } catch (e) {
    throw new DemandError(key, e instanceof Error ? e.message : String(e));
  }
  const problem = serviceTimeProblem(v);
  if (problem !== undefined) throw new DemandError(key, problem);
  return v as ServiceTime;
}

/**
 * The demand of a job: the sum of one draw of each key's service time (a deterministic cost is its own draw),
 * rounded to the nearest integer ns. Throws `DemandError` when a key's cost is missing or malformed (or
 * `demandNs` throws), or when a random one is met without a `stream` to draw from.
 */
export function jobDemandNs(demand: DemandKey, demandNs: (key: string) => ServiceTime, stream?: RandomStream): number {
  const one = (key: string): number => {
    const s = serviceOf(key, demandNs);
    if (stream === undefined && isRandom(s)) throw new DemandError(key, 'is random but no random stream was given');
    return draw(s, stream);
  };
  if (typeof demand === 'string') return Math.round(one(demand));
  let sum = 0;
  for (let i = 0; i < demand.length; i++) sum += one(demand[i]!);
  return Math.round(sum);
}

export class Core {
  readonly id: string;
  /** Busy ns of completed jobs (see `busyNsAt` for the running job's share). */
  private completedNs = 0;
  private readonly completedByComponent: Float64Array;

  // The running job.
  private runningFlag = false;
  private runComponent = -1;
  private runThen: EventObject | undefined = undefined;
  private runStartNs = 0;
  private runEndNs = 0;

  // FIFO ring of waiting jobs.
  private qComponent: Int32Array;
  private qDemand: Float64Array;
  private qThen: (EventObject | undefined)[];
  private qHead = 0;
  private qCount = 0;

  /** Component of the job the last `complete()` finished. */
  completedComponent = -1;

  constructor(id: string, componentCount: number, initialCapacity = 16) {
    this.id = id;
    this.completedByComponent = new Float64Array(componentCount);
    let cap = 4;
    while (cap < initialCapacity) cap *= 2;
    this.qComponent = new Int32Array(cap);
    this.qDemand = new Float64Array(cap);
    this.qThen = new Array<EventObject | undefined>(cap).fill(undefined);
  }

  /** Whether a job is running. */
  get running(): boolean {
    return this.runningFlag;
  }

  /** Completion time of the running job (meaningful only while `running`). */
  get runningEndNs(): number {
    return this.runEndNs;
  }

  /**
   * Submits a job at `nowNs`. If the core is idle the job starts now and its completion time is returned; the
   * caller must call `complete()` at that time. Otherwise the job is queued and -1 is returned.
   */
  submit(component: number, demandNs: number, then: EventObject, nowNs: number): number {
    if (!this.runningFlag) return this.start(component, demandNs, then, nowNs);
    const cap = this.qComponent.length;
    if (this.qCount === cap) this.growQueue();
    const mask = this.qComponent.length - 1;
    const at = (this.qHead + this.qCount) & mask;
    this.qComponent[at] = component;
    this.qDemand[at] = demandNs;
    this.qThen[at] = then;
    this.qCount++;
    return -1;
  }

  /**
   * Finishes the running job at `nowNs` (its completion time): charges its busy time, sets `completedComponent`
   * and returns its `then`. If a job is waiting it starts at `nowNs`; `running`/`runningEndNs` then describe it.
   */
  complete(nowNs: number): EventObject {
    if (!this.runningFlag) throw new Error(`core '${this.id}': complete() with no running job`);
    const then = this.runThen!;
    const component = this.runComponent;
    const busy = this.runEndNs - this.runStartNs;
    this.completedNs += busy;
    this.completedByComponent[component] = this.completedByComponent[component]! + busy;
    this.completedComponent = component;
    this.runningFlag = false;
    this.runThen = undefined;
    if (this.qCount > 0) {
      const h = this.qHead;
      const nextThen = this.qThen[h]!;
      this.qThen[h] = undefined;
      this.qHead = (h + 1) & (this.qComponent.length - 1);
      this.qCount--;
      this.start(this.qComponent[h]!, this.qDemand[h]!, nextThen, nowNs);
    }
    return then;
  }

  /** Busy ns up to `nowNs`, counting the running job's elapsed part. */
  busyNsAt(nowNs: number): number {
    return this.completedNs + this.runningShare(nowNs);
  }

  /** Busy ns of one component's jobs up to `nowNs`, counting the running job's elapsed part. */
  busyNsOfComponentAt(component: number, nowNs: number): number {
    const done = this.completedByComponent[component] ?? 0;
    return this.runningFlag && this.runComponent === component ? done + this.runningShare(nowNs) : done;
  }

  private runningShare(nowNs: number): number {
    if (!this.runningFlag) return 0;
    const end = nowNs < this.runEndNs ? nowNs : this.runEndNs;
    return end > this.runStartNs ? end - this.runStartNs : 0;
  }

  private start(component: number, demandNs: number, then: EventObject, nowNs: number): number {
    this.runningFlag = true;
    this.runComponent = component;
    this.runThen = then;
    this.runStartNs = nowNs;
    this.runEndNs = nowNs + demandNs;
    return this.runEndNs;
  }

  private growQueue(): void {
    const oldCap = this.qComponent.length;
    const cap = oldCap * 2;
    const comp = new Int32Array(cap);
    const demand = new Float64Array(cap);
    const then = new Array<EventObject | undefined>(cap).fill(undefined);
    for (let k = 0; k < this.qCount; k++) {
      const i = (this.qHead + k) & (oldCap - 1);
      comp[k] = this.qComponent[i]!;
      demand[k] = this.qDemand[i]!;
      then[k] = this.qThen[i];
    }
    this.qComponent = comp;
    this.qDemand = demand;
    this.qThen = then;
    this.qHead = 0;
  }
}

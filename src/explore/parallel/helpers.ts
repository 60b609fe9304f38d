/**
 * The parallel search's worker threads, seen from the coordinator: each a thread running worker.ts over the model's
 * worker form, asked one message at a time (every phase is a request and its reply).
 */
import { Worker } from 'node:worker_threads';
import type { WorkerModel } from '../packed/model.js';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';
import { compiledModuleUrl } from './urls.js';

/** A worker thread and the reply it owes. */
export class Helper {
  private waiting: ((m: FromWorker) => void) | undefined;
  private failure: Error | undefined;
  readonly thread: Worker;

  constructor(index: number, model: WorkerModel) {
    const here = import.meta.url;
    const url = compiledModuleUrl(new URL(`./worker${here.endsWith('.ts') ? '.ts' : '.js'}`, here).href);
    const init: WorkerInit = { index, module: model.module, export: model.export };
    this.thread = new Worker(new URL(url), { workerData: init });
    this.thread.on('message', (m: FromWorker) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.(m);
    });
    this.thread.on('error', (e) => {
      this.failure = e;
      const w = this.waiting;
      this.waiting = undefined;
      w?.({ type: 'failed', message: e.message });
    });
  }

  ask(m: ToWorker): Promise<FromWorker> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = (r) => (r.type === 'failed' ? reject(new Error(`parallel search worker failed: ${r.message}`)) : resolve(r));
      this.thread.postMessage(m);
    });
  }
}

/**
 * Start `n` worker threads for `model`'s worker form. A search starts them before it hands over, while its one
 * thread still explores the first levels, so that their start (module loading, building the model) overlaps with
 * that work instead of delaying the first parallel level; `stopHelpers` ends threads a search did not use.
 */
export function startHelpers(model: WorkerModel, n: number): Helper[] {
  return Array.from({ length: n }, (_, i) => new Helper(i, model));
}

export async function stopHelpers(helpers: readonly Helper[]): Promise<void> {
  await Promise.all(helpers.map((h) => h.thread.terminate()));
}

/**
 * The fair tasks of a packed network's actions, for liveness under weak fairness (src/explore/liveness.ts): the
 * delivery of a pending item is the task named by the item's pending id — the same id in every state it waits in —
 * and the environment's actions and the actions component states offer (arrivals, ticks, management requests) are
 * not fair (-1). That is the fairness of a network model whose `Model.fairTask` names pending deliveries by their id
 * (spec/checked/model.ts); a model with other fairness does not use this.
 *
 * The actions are listed as `PackedNetwork.expand` takes them: the enabled environment actions, one delivery per
 * distinct pending item, then the actions of the components that offer some. Call it after `expand` of the same
 * state, which has filled the tables read here.
 */
import type { Layout } from '../../explore/packed/layout.js';
import { pendingField } from './program.js';
import type { Tables } from './tables.js';

/**
 * The fair task (or -1) of each action of the state `keys[at..]`, in action order, into `out` (room for every
 * action: see `actionCount`'s bound); returns how many actions the state has. `fields`: scratch, one per field.
 */
export function pendingTasks(t: Tables, keys: Int32Array, at: number, L: Layout, fields: Int32Array, out: Int32Array): number {
  const p = t.program;
  L.decoder(keys, at, fields);
  const env0 = pendingField(p) + 1;
  let n = 0;
  const acts = p.envActions;
  for (let x = 0; x < acts.length; x++) {
    const guards = acts[x]!.guards;
    let enabled = true;
    for (let g = 0; g < guards.length; g++) if (fields[env0 + guards[g]!.field]! < guards[g]!.min) enabled = false;
    if (enabled) out[n++] = -1;
  }
  const set = fields[pendingField(p)]!;
  const start = t.setStart[set]! - 1;
  if (start < 0) throw new Error('pendingTasks: the pending multiset is not in the tables (call expand first)');
  const items = t.setData[start]!;
  for (let i = 0; i < items; i++) {
    const pid = t.setData[start + 1 + i]!;
    if (i > 0 && t.setData[start + i] === pid) continue;
    out[n++] = pid;
  }
  const providers = p.stateActionComponents;
  for (let k = 0; k < providers.length; k++) {
    const s = t.actStart[k]![fields[providers[k]!]!]! - 1;
    if (s < 0) throw new Error('pendingTasks: a state\'s actions are not in the tables (call expand first)');
    const m = t.actData[s]!;
    for (let j = 0; j < m; j++) out[n++] = -1;
  }
  return n;
}

/**
 * The bench's JS-limit spikes (bench/js-limit.ts, bench/js-limit-parallel.ts) are references the bench compares
 * against: they must explore exactly vnic.pml's state space whatever the number of threads, and the deterministic
 * parallel spike must build the one-thread search's BFS tree (same ids, parents and actions), as vnicspec's does.
 */
import { describe, expect, it } from 'vitest';
import { jsLimit } from '../bench/js-limit.js';
import { jsLimitParallel } from '../bench/js-limit-parallel.js';

describe('JS-limit spikes', () => {
  it.each([
    [2, 2, 5_127],
    [2, 3, null],
    [3, 1, null],
  ] as const)('%i VMs × %i slots: the parallel spike on 1 and 2 threads finds the one-thread spike’s states, transitions and depth', async (vms, capacity, states) => {
    const one = jsLimit(vms, capacity);
    if (states !== null) expect(one.states).toBe(states);
    for (const threads of [1, 2]) {
      for (const deterministic of [true, false]) {
        const r = await jsLimitParallel(vms, capacity, threads, deterministic, 18);
        expect({ states: r.states, transitions: r.transitions, depth: r.depth }).toEqual({ states: one.states, transitions: one.transitions, depth: one.depth });
        if (deterministic) expect(r.witnesses).toBe(one.witnesses);
      }
    }
  });
});

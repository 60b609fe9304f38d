/**
 * The DMA arbiter's grants, judged from what it reports (probe `dma.granted`: the channel granted, its head packet's
 * size, and the channels requesting at that moment) against the configuration — never against the arbiter's own
 * bookkeeping (its pointer, credits, deficits or head-wait counters) or its `pick`:
 *
 * - no-cross-vm-starvation's waiting bound: an eligible head packet waits at most `waitBound` grants to other vNICs
 *   (the configured weights' sum less the smallest: a round of everyone else). Per vNIC slot, a counter of grants
 *   to others while it requested, reset when it is granted or its vNIC is torn down — kept by the property itself.
 *   The specified DMA engine keeps the same count, so the counters add no states.
 *
 * - dma-fairness (wrr and drr): while two vNICs stay eligible, each gets grants in proportion to its weight, within
 *   one round. For an ordered pair (i, j) of attached VMs (or the driver domain) and any run of consecutive grants at
 *   each of which both their vNICs requested, with S_i, S_j the service each got (packets under wrr, bytes under drr)
 *   and w_i, w_j their configured weights:
 *       S_i · w_j − S_j · w_i  ≤  w_i · w_j · Q + (M − 1) · (w_i + w_j)
 *   where Q is one round's share per unit of weight (wrr: 1 packet; drr: the quantum in bytes) and M the largest
 *   packet (drr may carry less than one packet of deficit from a round into the next: M − 1 bytes; wrr: 0). In
 *   words: i is never more than one round (plus what deficit round-robin carries over) ahead of j in normalised
 *   service. "Any run" is checked exactly with a lead counter per ordered pair (the largest S_i·w_j − S_j·w_i over
 *   runs ending at the current grant: lead := max(0, lead + Δ), reset when the two stop requesting together or one
 *   is detached). Leads are kept per pair of holders, not of slots, so that their weights are fixed by the
 *   configuration even when churn moves a VM to another slot. They are history the arbiter does not keep, so they
 *   could add states; on the built-in configurations they do not (README).
 *
 * Which VM holds a slot comes from the VMM's records in the state before the grant, its weight from the configuration.
 * Eligibility is what the DMA engine's request lines said at the grant; vmm-nic-agreement checks that those lines
 * are the vNICs' own (a line up exactly when its vNIC has a packet and a descriptor for it).
 */
import type { MachineState } from '../src/machine/types.js';
import { observe } from '../src/network/packed/observe.js';
import { NO_LO, type CounterOp, type History, type HistoryBound } from '../spec/checked/history.js';
import type { SystemShape } from './invariants.js';
import { holderIndex, holderOfSlot, vmmRecords } from './references.js';

/** What the grant history needs beyond the shape: the bounds as configured. */
export interface GrantConfig {
  /** no-cross-vm-starvation's waiting bound (grants to others). */
  readonly waitBound: number;
  /** The arbiter kind: fairness is judged for 'wrr' and 'drr'. */
  readonly arbiter: 'strict' | 'wrr' | 'drr';
  /** drr: bytes per unit of weight per round. */
  readonly quantum: number;
  /** The largest packet the environment offers (bytes). */
  readonly maxPacket: number;
}

export interface GrantChecks {
  readonly starvation: boolean;
  readonly fairness: boolean;
}

/** Whether dma-fairness says anything about this arbiter. */
export const fairArbiter = (arbiter: string): boolean => arbiter === 'wrr' || arbiter === 'drr';

/** The bound on lead(i over j) for weights w_i, w_j (see the module comment). */
export function leadBound(c: GrantConfig, wi: number, wj: number): number {
  return c.arbiter === 'drr' ? wi * wj * c.quantum + (c.maxPacket - 1) * (wi + wj) : wi * wj;
}

const set = (counter: number, value: number): CounterOp => ({ counter, add: 0, lo: value, hi: value });

export function dmaGrants(sys: SystemShape, c: GrantConfig, checks: GrantChecks): History {
  const n = sys.vnics.length;
  const waits = checks.starvation ? n : 0;
  const fair = checks.fairness && fairArbiter(c.arbiter) && n > 0;
  const H = fair ? sys.holders.length : 0;
  const weight = sys.holders.map((h) => Math.max(1, h.qos.weight));
  const name = (k: number): string => {
    const v = sys.vmIds.indexOf(sys.holders[k]!.id);
    return v >= 0 ? sys.vmNames[v]! : sys.holders[k]!.id;
  };
  // lead(a over b), a ≠ b, at waits + a * (H - 1) + (b < a ? b : b - 1)
  const lead = (a: number, b: number): number => waits + a * (H - 1) + (b < a ? b : b - 1);
  const names: string[] = [];
  const bounds: HistoryBound[] = [];
  for (let k = 0; k < waits; k++) {
    names.push(`wait(vnic${k})`);
    bounds.push({
      counter: k,
      min: 0,
      max: c.waitBound,
      property: 'no-cross-vm-starvation',
      message: (w, machines) => {
        const h = sys.vmm < 0 ? -1 : holderOfSlot(sys, vmmRecords(machines[sys.vmm]!), k);
        return `the head packet of vNIC ${k}${h < 0 ? '' : ` (${name(h)})`} waited ${w} DMA slots granted to other vNICs (bound ${c.waitBound}, from the configured weights)`;
      },
    });
  }
  for (let a = 0; a < H; a++) {
    for (let b = 0; b < H; b++) {
      if (a === b) continue;
      const wa = weight[a]!;
      const wb = weight[b]!;
      const bound = leadBound(c, wa, wb);
      names.push(`lead(${sys.holders[a]!.id} over ${sys.holders[b]!.id})`);
      const per = (x: number) => +(x / (wa * wb)).toFixed(3);
      bounds.push({
        counter: lead(a, b),
        min: 0,
        max: bound,
        property: 'dma-fairness',
        message: (x) =>
          `while ${name(a)} (weight ${wa}) and ${name(b)} (weight ${wb}) both requested DMA, the first got ahead of the second by more than ${per(bound)} ${c.arbiter === 'drr' ? 'bytes' : 'grants'} per unit of weight (one round) over a run of grants: ${per(x)}`,
      });
    }
  }
  const eligibleHolders = new Int32Array(Math.max(1, H));
  return {
    names,
    initial: names.map(() => 0),
    tick: [],
    bounds,
    ops: (pre: readonly MachineState<unknown>[], probes, out) => {
      for (const p of probes) {
        if (p.name === 'vnic.down') {
          // A torn-down vNIC's waiting starts afresh, as its channel's does; its holder's runs end.
          const d = p.data as { slot: number; vm: string };
          if (waits > 0) out.push(set(d.slot, 0));
          const h = fair ? holderIndex(sys, d.vm) : -1;
          if (h >= 0) for (let b = 0; b < H; b++) if (b !== h) out.push(set(lead(h, b), 0), set(lead(b, h), 0));
          continue;
        }
        if (p.name !== 'dma.granted') continue;
        const { slot: g, size, eligible } = p.data as { slot: number; size: number; eligible: readonly number[] };
        if (waits > 0) {
          for (const k of eligible) if (k !== g) out.push({ counter: k, add: 1, lo: NO_LO, hi: c.waitBound + 1 });
          out.push(set(g, 0));
        }
        if (!fair) continue;
        const records = observe(pre, sys.vmm, vmmRecords);
        eligibleHolders.fill(0);
        for (const k of eligible) {
          const h = holderOfSlot(sys, records, k);
          if (h >= 0) eligibleHolders[h] = 1;
        }
        const gh = holderOfSlot(sys, records, g);
        const unit = c.arbiter === 'drr' ? size : 1;
        for (let a = 0; a < H; a++) {
          for (let b = 0; b < H; b++) {
            if (a === b) continue;
            if (eligibleHolders[a] === 0 || eligibleHolders[b] === 0) {
              out.push(set(lead(a, b), 0));
              continue;
            }
            const delta = (gh === a ? unit * weight[b]! : 0) - (gh === b ? unit * weight[a]! : 0);
            out.push({ counter: lead(a, b), add: delta, lo: 0, hi: leadBound(c, weight[a]!, weight[b]!) + 1 });
          }
        }
      }
    },
    // Symmetry (vnic without churn): slot = VM index = holder index, so both are renamed like VMs.
    permute: (h, pi) => {
      const out = h.slice();
      for (let k = 0; k < waits; k++) out[pi[k]!] = h[k]!;
      for (let a = 0; a < H; a++) for (let b = 0; b < H; b++) if (a !== b) out[lead(pi[a]!, pi[b]!)] = h[lead(a, b)]!;
      return out;
    },
  };
}

/**
 * How much work a simulation is, before it runs: an upper estimate of the simulator events it will deliver, from
 * the streams' arrival rates, so a command can refuse an absurd run (a 10^8/s stream for days of simulated time)
 * up front instead of looking hung, and say how to proceed.
 *
 * Every arrival costs at most `EVENTS_PER_ARRIVAL` events: measured over the built-in scenarios under all four
 * architectures, a request with its reply costs 4–6.4 events (arrival, DMA, interrupt, forwarding, driver and
 * server work, reply), a flood packet 1–1.4 (most are rejected at the device), a closed-loop request one more for
 * its retransmission timer. A closed-loop stream sends at most one request per round trip or timeout, whichever is
 * shorter; a round trip takes at least the wire time of the request and its reply plus the CPU demands of serving
 * it in the cheapest driver mode the architecture has.
 */
import type { Arch, Calibration, Scenario, StreamSpec } from './scenario.js';
import { serviceTimeOf } from './scenario.js';
import { driverModesOf } from './system.js';
import { demandKeysOf } from './vm-driver.js';

export const EVENTS_PER_ARRIVAL = 7;
/** Stream start when the scenario gives none (system.ts starts stream i at 1 ms plus a phase). */
const DEFAULT_START_S = 0.001;

export interface StreamWork {
  /** Index in `scenario.streams`. */
  readonly stream: number;
  /** Arrivals per second, at most. */
  readonly perSecond: number;
  readonly events: number;
}

export interface WorkEstimate {
  /** Simulator events, at most about. */
  readonly events: number;
  /** Per stream, largest first. */
  readonly streams: readonly StreamWork[];
}

function meanNs(cal: Calibration, key: string): number {
  const t = serviceTimeOf(cal, key);
  return t === undefined ? 0 : typeof t === 'number' ? t : t.meanNs;
}

/** The fastest a closed-loop request of `st` can come back: its wire time plus the cheapest mode's CPU demands. */
function roundTripNs(s: Scenario, st: Extract<StreamSpec, { kind: 'closed-loop' }>, arch: Arch, cal: Calibration): number {
  const replyBytes = s.vms.find((v) => v.name === st.vm)?.replyBytes ?? 64;
  const wireNs = ((st.requestBytes + replyBytes) * 8) / s.nic.linkGbps;
  const cpuNs = Math.min(...driverModesOf(arch).map((m) => demandKeysOf(m).reduce((sum, k) => sum + meanNs(cal, k), 0)));
  return wireNs + cpuNs;
}

/** Arrivals per second of stream `st` at most. */
export function arrivalsPerSecond(s: Scenario, st: StreamSpec, arch: Arch, cal: Calibration): number {
  switch (st.kind) {
    case 'open-loop':
      return st.rate;
    case 'flood':
      return st.rate ?? (s.nic.linkGbps * 1e9) / 8 / st.packetBytes;
    case 'closed-loop': {
      const cycleNs = Math.min(st.timeoutMs * 1e6, st.thinkMs * 1e6 + roundTripNs(s, st, arch, cal));
      return 1e9 / Math.max(1, cycleNs);
    }
  }
}

/** The events a run of `durationS` simulated seconds of `s` under `arch` delivers, at most about. */
export function estimateWork(s: Scenario, arch: Arch, cal: Calibration, durationS: number): WorkEstimate {
  const streams = s.streams.map((st, i): StreamWork => {
    const perSecond = arrivalsPerSecond(s, st, arch, cal);
    const activeS = Math.max(0, durationS - (st.startS ?? DEFAULT_START_S));
    return { stream: i, perSecond, events: perSecond * activeS * EVENTS_PER_ARRIVAL };
  });
  streams.sort((a, b) => b.events - a.events || a.stream - b.stream);
  return { events: streams.reduce((sum, w) => sum + w.events, 0), streams };
}

/** When the first stream starts (undefined: no streams); a shorter run sees no traffic at all. */
export function firstStartS(s: Scenario): number | undefined {
  return s.streams.length === 0 ? undefined : Math.min(...s.streams.map((st) => st.startS ?? DEFAULT_START_S));
}

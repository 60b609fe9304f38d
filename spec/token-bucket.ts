/**
 * Token bucket for a vNIC's bandwidth specification (§3.1 "QoS and virtual-NIC": accept or reject an incoming
 * packet "based on the bandwidth specification"). Bytes admitted over any window of length t never exceed
 * rate·t + burst. Refill is lazy from the arrival time (simulator) or by abstract clock ticks (explorer).
 */
export interface Bucket {
  /** bytes per second */
  readonly rate: number;
  /** bytes */
  readonly burst: number;
  readonly tokens: number;
  readonly lastNs: number;
}

export function refillTo(b: Bucket, nowNs: number): Bucket {
  if (nowNs <= b.lastNs) return b;
  const tokens = Math.min(b.burst, b.tokens + ((nowNs - b.lastNs) * b.rate) / 1e9);
  return { rate: b.rate, burst: b.burst, tokens, lastNs: nowNs };
}

/** Abstract time for the explorer: `dtNs` passes without moving `lastNs`, so states stay finite. */
export function refillBy(b: Bucket, dtNs: number): Bucket {
  const tokens = Math.min(b.burst, b.tokens + (dtNs * b.rate) / 1e9);
  return tokens === b.tokens ? b : { rate: b.rate, burst: b.burst, tokens, lastNs: b.lastNs };
}

export const conforms = (b: Bucket, size: number): boolean => b.tokens >= size;

export const take = (b: Bucket, size: number): Bucket => ({ rate: b.rate, burst: b.burst, tokens: b.tokens - size, lastNs: b.lastNs });

/**
 * Why spec/record.ts exists: object spread with overridden fields versus a generated literal copy, on a record
 * shaped like a vNIC. Run: `npm run build && node dist/bench/record-copy.js`.
 */
import { copier } from '../spec/record.js';

interface Rec {
  status: string; vm: string; macs: number[]; vector: number; bucket: { tokens: number }; capacity: number; used: number;
  queue: number[]; priority: number; weight: number; rxCredits: number; txRing: number; txUsed: number; irqMasked: boolean; headWait: number;
}
const fields = { status: true, vm: true, macs: true, vector: true, bucket: true, capacity: true, used: true, queue: true, priority: true, weight: true, rxCredits: true, txRing: true, txUsed: true, irqMasked: true, headWait: true } as const;

export function measureRecordCopy(n = 2_000_000): { spreadNs: number; copierNs: number } {
  const copy = copier<Rec>(fields);
  let v: Rec = { status: 'active', vm: 'vm0', macs: [1], vector: 0, bucket: { tokens: 1.5 }, capacity: 131072, used: 0, queue: [], priority: 0, weight: 1, rxCredits: 256, txRing: 256, txUsed: 0, irqMasked: false, headWait: 0 };
  let t0 = performance.now();
  for (let i = 0; i < n; i++) v = { ...v, used: i, rxCredits: v.rxCredits ^ 1 };
  const spreadNs = ((performance.now() - t0) * 1e6) / n;
  t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const c = copy(v);
    c.used = i;
    c.rxCredits = v.rxCredits ^ 1;
    v = c;
  }
  const copierNs = ((performance.now() - t0) * 1e6) / n;
  return { spreadNs, copierNs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = measureRecordCopy();
  console.log(`spread-with-override ${r.spreadNs.toFixed(0)} ns/copy, generated literal ${r.copierNs.toFixed(0)} ns/copy`);
}

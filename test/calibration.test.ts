/** Calibration profiles: service-time distributions as a user writes them, and how the simulator reads them. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPaperFigures } from '../spec/paper-figures.js';
import { dataDir, loadCalibration, parseCalibration, serviceTimeOf, type Calibration } from '../spec/scenario.js';

const nic = { dmaSetupNs: 500, dmaBytesPerNs: 2 };
const parse = (raw: unknown): Calibration => {
  const r = parseCalibration(raw, 'p.json');
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const problem = (raw: unknown): string => {
  const r = parseCalibration(raw, 'p.json');
  return r.ok ? '' : r.error;
};

describe('calibration: service-time distributions', () => {
  it('a plain number is deterministic unless the profile says otherwise; an entry may override', () => {
    const plain = parse({ demandsNs: { a: 100 }, nic });
    expect(serviceTimeOf(plain, 'a')).toBe(100);
    expect(serviceTimeOf(plain, 'b')).toBeUndefined();
    const exp = parse({
      serviceTime: { distribution: 'exponential' },
      demandsNs: { a: 100, b: { meanNs: 50, distribution: 'lognormal', cv: 0.5 }, c: { meanNs: 7, distribution: 'deterministic' }, d: { meanNs: 9 } },
      nic,
    });
    expect(serviceTimeOf(exp, 'a')).toEqual({ distribution: 'exponential', meanNs: 100 });
    expect(serviceTimeOf(exp, 'b')).toEqual({ distribution: 'lognormal', meanNs: 50, cv: 0.5 });
    expect(serviceTimeOf(exp, 'c')).toBe(7);
    expect(serviceTimeOf(exp, 'd')).toEqual({ distribution: 'exponential', meanNs: 9 });
    const logn = parse({ serviceTime: { distribution: 'lognormal', cv: 0.3 }, demandsNs: { a: 100 }, nic });
    expect(serviceTimeOf(logn, 'a')).toEqual({ distribution: 'lognormal', meanNs: 100, cv: 0.3 });
  });

  it('errors name the field', () => {
    expect(problem({ serviceTime: { distribution: 'lognormal' }, demandsNs: {}, nic })).toBe('p.json: serviceTime.cv: a lognormal service time needs cv');
    expect(problem({ serviceTime: { distribution: 'exponential', cv: 1 }, demandsNs: {}, nic })).toBe('p.json: serviceTime.cv: cv applies to lognormal only');
    expect(problem({ serviceTime: { distribution: 'gamma' }, demandsNs: {}, nic })).toContain('p.json: serviceTime.distribution: must be one of deterministic, exponential, lognormal');
    expect(problem({ demandsNs: { a: { meanNs: 5, distribution: 'lognormal' } }, nic })).toContain('demandsNs.a');
    expect(problem({ demandsNs: { a: -1 }, nic })).toContain('demandsNs.a');
  });
});

describe('the derived profile and the paper figures it comes from', () => {
  const figures = (() => {
    const f = loadPaperFigures();
    if (!f.ok) throw new Error(f.error);
    return f.value;
  })();
  const profile = (() => {
    const c = loadCalibration(undefined, '');
    if (!c.ok) throw new Error(c.error);
    return c.value;
  })();
  const mean = (key: string): number => {
    const s = serviceTimeOf(profile, key);
    if (s === undefined) throw new Error(`no ${key}`);
    return typeof s === 'number' ? s : s.meanNs;
  };
  const paper = (id: string): number => figures.figures.find((f) => f.id === id)!.paper;

  it('paper-figures.json is valid, names the three section-5 configurations, and fits to fewer figures than it predicts', () => {
    const ids = figures.figures.map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining(['xen-idd-single-core', 'xen-idd-multi-core', 'vnic-multi-core']));
    const inputs = figures.figures.filter((f) => f.role === 'input' && f.metric !== 'gain');
    const predictions = figures.figures.filter((f) => f.role === 'prediction');
    expect(inputs.map((f) => f.id)).toEqual(['xen-idd-multi-core', 'vnic-multi-core']);
    expect(predictions.length).toBeGreaterThan(inputs.length);
  });

  it('default.json: the driver domain costs 1 / (2 × 950) s per request and a VM 1 / 1500 s, to the nanosecond', () => {
    const idd = ['idd.driverRx', 'idd.bridge', 'idd.netbackRx', 'idd.netbackTx', 'idd.bridge', 'idd.driverTx'].reduce((a, k) => a + mean(k), 0);
    expect(Math.abs(idd - 1e9 / (2 * paper('xen-idd-multi-core')))).toBeLessThan(3);
    for (const [rx, tx] of [['vm.driverRx', 'vm.driverTx'], ['vm.netfrontRx', 'vm.netfrontTx']] as const) {
      expect(Math.abs(mean(rx) + mean('vm.app') + mean(tx) - 1e9 / paper('vnic-multi-core'))).toBeLessThan(1);
    }
    // Assumption A1: the native OS runs the VM's driver and server.
    expect(mean('native.driverRx') + mean('native.app') + mean('native.driverTx')).toBe(mean('vm.driverRx') + mean('vm.app') + mean('vm.driverTx'));
  });

  it('every sensitivity profile parses and keeps the keys of the default', () => {
    const dir = join(dataDir('calibration'), 'sensitivity');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const c = loadCalibration(join(dir, f), '');
      expect(c.ok, c.ok ? '' : c.error).toBe(true);
      if (c.ok) expect(Object.keys(c.value.demandsNs).sort()).toEqual(Object.keys(profile.demandsNs).sort());
    }
  });
});

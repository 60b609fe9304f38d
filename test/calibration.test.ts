/** Calibration profiles: service-time distributions as a user writes them, and how the simulator reads them. */
import { describe, expect, it } from 'vitest';
import { parseCalibration, serviceTimeOf, type Calibration } from '../spec/scenario.js';

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

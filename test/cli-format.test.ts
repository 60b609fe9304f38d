/** The text formatters of the command line. */
import { describe, expect, test } from 'vitest';
import { lossOf, takeaway } from '../src/cli/format/compare.js';
import { breakdown, change, percent, seconds } from '../src/cli/format/numbers.js';
import { renderTable } from '../src/cli/format/table.js';
import type { SimulationReport, VmReport } from '../src/api/run-simulation.js';

describe('renderTable', () => {
  test('aligns columns, right-aligns numbers, trims trailing blanks', () => {
    const lines = renderTable({
      columns: [{ header: 'VM' }, { header: 'offered', align: 'right' }, { header: 'note' }],
      rows: [
        ['vm1', '7', ''],
        ['vm-long', '12345', 'x'],
      ],
    });
    expect(lines).toEqual(['VM       offered  note', 'vm1            7', 'vm-long    12345  x']);
  });

  test('group headers span their columns', () => {
    const lines = renderTable({
      groups: [
        { label: '', span: 1 },
        { label: 'xen-idd', span: 2 },
        { label: 'vnic', span: 2 },
      ],
      columns: [{ header: 'VM' }, { header: 'a', align: 'right' }, { header: 'b', align: 'right' }, { header: 'a', align: 'right' }, { header: 'b', align: 'right' }],
      rows: [['vm1', '1', '2', '3', '4']],
    });
    expect(lines[0]).toMatch(/^\s+-* ?xen-idd ?-*\s+-* ?vnic ?-*$/);
    // Every line has the same width: labels widened their columns.
    const header = lines[1]!;
    const row = lines[2]!;
    expect(header.length).toBe(row.length);
    expect(lines[0]!.length).toBe(row.length);
  });

  test('rejects ragged rows', () => {
    expect(() => renderTable({ columns: [{ header: 'a' }], rows: [['1', '2']] })).toThrow(/row 0/);
  });
});

describe('numbers', () => {
  test('percent never shows 100.0 for less than all', () => {
    expect(percent(0.9998)).toBe('99.9');
    expect(percent(1)).toBe('100.0');
    expect(percent(0.123)).toBe('12.3');
  });
  test('change, seconds, breakdown', () => {
    expect(change(1.567)).toBe('+57%');
    expect(change(0.8)).toBe('-20%');
    expect(seconds(10)).toBe('10 s');
    expect(seconds(0.1 + 0.2)).toBe('0.3 s');
    expect(breakdown({})).toBe('0');
    expect(breakdown({ 'partition-full': 12, 'rate-exceeded': 37487 })).toBe('rate-exceeded 37487, partition-full 12');
  });
});

const vm = (id: string, throughputPerS: number, offered: number, rejected: number, p99: number | null): VmReport => ({
  id,
  attachment: 'x',
  offered,
  admitted: offered - rejected,
  rejected: rejected > 0 ? { 'device-buffer-full': rejected } : {},
  dropped: 0,
  droppedBy: {},
  delivered: 0,
  completed: 0,
  heldAtEnd: 0,
  throughputPerS,
  deliveredPerS: 0,
  lossFraction: offered > 0 ? rejected / offered : null,
  latencyMs: { p50: p99, p90: p99, p99, p999: p99, mean: p99, max: p99 },
  txDropped: 0,
});

const rep = (arch: SimulationReport['arch'], vms: VmReport[], cpus: SimulationReport['cpus']): SimulationReport => ({
  scenario: 's',
  arch,
  cores: 'multi',
  seed: 1,
  durationS: 1,
  warmupS: 0,
  calibration: 'test profile.',
  stepper: 'compiled',
  outcome: 'ok',
  stoppedAtS: 1,
  events: 1,
  vms,
  unknownDestination: { offered: 0, rejected: 0, dropped: 0 },
  cpus,
  steadyState: { batches: 10, ok: true, warnings: [] },
  notes: [],
  notModelled: [],
});

describe('compare takeaway', () => {
  test('is computed from the numbers', () => {
    const xen = rep('xen-idd', [vm('vm1', 1000, 1500, 500, 1200), vm('vm2', 1000, 1500, 0, 900)], [
      { id: 'cpu0', runs: ['vmm', 'driver-domain'], utilisation: 0.999 },
      { id: 'cpu1', runs: ['vm1'], utilisation: 0.5 },
    ]);
    const vnic = rep('vnic', [vm('vm1', 1500, 1500, 0, 0.67), vm('vm2', 1500, 1500, 0, 0.67)], [
      { id: 'cpu0', runs: ['vmm'], utilisation: 0.03 },
      { id: 'cpu1', runs: ['vm1'], utilisation: 0.97 },
    ]);
    expect(takeaway(xen, vnic)).toBe(
      'vnic vs xen-idd: +50% throughput (3000 vs 2000 requests/s in total), loss 16.7% -> 0.0%, worst p99 1200 -> 0.67 ms; ' +
        'driver-domain core cpu0 saturated at 99.9% under xen-idd (3.0% under vnic).',
    );
  });

  test('omits what does not apply', () => {
    const a = rep('xen-idd', [vm('vm1', 100, 100, 0, null)], [{ id: 'cpu0', runs: ['vmm', 'driver-domain'], utilisation: 0.2 }]);
    const b = rep('vnic', [vm('vm1', 90, 100, 0, null)], [{ id: 'cpu0', runs: ['vmm'], utilisation: 0.1 }]);
    expect(takeaway(a, b)).toBe('vnic vs xen-idd: -10% throughput (90 vs 100 requests/s in total).');
  });

  test('loss is (rejected + dropped) / offered', () => {
    expect(lossOf({ offered: 200, rejected: { a: 10, b: 20 }, dropped: 20 })).toBe(0.25);
    expect(lossOf({ offered: 0, rejected: {}, dropped: 0 })).toBeNull();
  });
});

test('takeaway: a flooded VM that answers nothing does not count towards loss', () => {
  const a = rep('xen-idd', [vm('vm1', 150, 1000, 848, 129), vm('vm2', 0, 100000, 96000, null)], [{ id: 'cpu0', runs: ['vmm', 'driver-domain'], utilisation: 0.5 }]);
  const b = rep('vnic', [vm('vm1', 1000, 1000, 0, 0.67), vm('vm2', 0, 100000, 90000, null)], [{ id: 'cpu0', runs: ['vmm'], utilisation: 0.1 }]);
  expect(takeaway(a, b)).toBe('vnic vs xen-idd: +567% throughput (1000 vs 150 requests/s in total), loss on vm1 84.8% -> 0.0%, worst p99 on vm1 129 -> 0.67 ms.');
});

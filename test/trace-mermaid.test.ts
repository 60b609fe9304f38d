import { describe, expect, test } from 'vitest';
import { toMermaid, type PrintableTrace } from '../src/trace/index.js';

const trace: PrintableTrace = {
  steps: [
    { label: 'init', vars: {} },
    {
      label: 'vm1.send(pkt=1)',
      vars: {},
      micro: [
        { from: 'vm1', to: 'nic', label: 'doorbell' },
        { from: 'nic', to: 'vm1', label: 'irq; msi #3' },
      ],
    },
    { label: 'tick', vars: {}, micro: [{ from: 'timer-0', to: 'nic', label: 'tick' }] },
  ],
};

describe('mermaid', () => {
  test('participants in the given order, one note per step, arrows for micro messages', () => {
    expect(toMermaid(trace, { participants: ['vm1', 'nic', 'timer-0'], title: 'send' })).toBe(
      [
        'sequenceDiagram',
        '  title send',
        '  participant vm1',
        '  participant nic',
        '  participant P0 as timer-0',
        '  Note over vm1,P0: 0. init',
        '  Note over vm1,P0: 1. vm1.send(pkt=1)',
        '  vm1->>nic: doorbell',
        '  nic->>vm1: irq#59; msi #35;3',
        '  Note over vm1,P0: 2. tick',
        '  P0->>nic: tick',
        '',
      ].join('\n'),
    );
  });

  test('undeclared participants are appended in order of appearance; keywords are aliased', () => {
    const out = toMermaid(
      { steps: [{ label: 'init', vars: {}, micro: [{ from: 'end', to: 'b', label: 'x' }] }] },
      { participants: ['b'] },
    );
    expect(out.split('\n').slice(1, 4)).toEqual(['  participant b', '  participant P0 as end', '  Note over b,P0: 0. init']);
    expect(out).toContain('  P0->>b: x');
  });
});

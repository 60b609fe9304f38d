/** `vnicspec replay`: re-executing counterexamples written by `vnicspec check --trace-out`. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectOneLineError, run } from './cli-run.js';



interface ItfJson {
  '#meta': Record<string, unknown> & { vnicspec?: { config: Record<string, unknown> } };
  vars: string[];
  states: ({ '#meta': { index: number }; action_taken: string } & Record<string, unknown>)[];
}

let dir: string;
let xen: string;
const path = (name: string): string => join(dir, name);
const original = (): ItfJson => JSON.parse(readFileSync(xen, 'utf8')) as ItfJson;
const write = (name: string, content: unknown): string => {
  const p = path(name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vnicspec-replay-'));
  xen = path('xen.itf.json');
  const r = await run('check', '--arch', 'xen-idd', '--trace-out', xen);
  expect(r.code).toBe(1);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('legal traces', () => {
  test('the xen-idd counterexample replays and still violates no-cross-vm-starvation: exit 1', async () => {
    const r = await run('replay', xen);
    expect(r.code).toBe(1);
    expect(r.out).toContain('configuration: arch xen-idd, 2 VMs');
    expect(r.out).toContain('Replayed 5 steps: each recorded action was enabled and reached the recorded state.');
    expect(r.out).toMatch(/^ {2}5: arrive\(vm0, conforming\)$/m);
    expect(r.out).toMatch(/Property 'no-cross-vm-starvation' violated at its end \(step 5\): vm0 conforms to its bandwidth specification/);
    expect(r.err).toBe('');
  });

  test('a counterexample with pending deliveries (strict DMA priority) replays: exit 1', async () => {
    const file = path('strict.itf.json');
    expect((await run('check', '--dma', 'strict', '--trace-out', file)).code).toBe(1);
    const r = await run('replay', file);
    expect(r.code).toBe(1);
    expect(r.out).toContain('configuration: arch vnic, 2 VMs');
    expect(r.out).toMatch(/^ +\d: dma: dma\.done$/m);
    expect(r.out).toMatch(/Property 'no-cross-vm-starvation' violated at its end \(step 7\): the head packet of vNIC 0/);
  });

  test('a legal prefix of a counterexample violates nothing: exit 0', async () => {
    const t = original();
    t.states = t.states.slice(0, 3);
    const r = await run('replay', write('prefix.itf.json', t));
    expect(r.code).toBe(0);
    expect(r.out).toContain('Replayed 2 steps');
    expect(r.out).toContain('No property is violated along the trace (3 states checked).');
    expect(r.out).toContain("the file records a violation of 'no-cross-vm-starvation', which this replay does not reproduce");
  });
});

describe('illegal, malformed or foreign files: exit 2, one line', () => {
  test('a changed label: names the step and the label', async () => {
    const t = original();
    t.states[4]!.action_taken = 'vm0: rx.processed(id=0)';
    expectOneLineError(await run('replay', write('label.itf.json', t)), { pattern: /: step 4: 'vm0: rx\.processed\(id=0\)' is not enabled here; enabled: 'arrive\(vm0, conforming\)'/ });
  });

  test('a dropped state (indices renumbered): the next step does not reach the recorded state', async () => {
    const t = original();
    t.states.splice(2, 1);
    t.states.forEach((s, i) => (s['#meta'].index = i));
    expectOneLineError(await run('replay', write('dropped.itf.json', t)), { pattern: /: step 2: after 'arrive\(vm1, flooding\)', variable nic\.used is 2 but the trace has 3/ });
  });

  test('a dropped state (indices left as they were): the ITF itself is inconsistent', async () => {
    const t = original();
    t.states.splice(2, 1);
    expectOneLineError(await run('replay', write('gap.itf.json', t)), { pattern: /states\[2\]: "#meta"\.index is 3, expected 2/ });
  });

  test('a changed variable: names the step and the variable', async () => {
    const t = original();
    (t.states[3]!['env'] as { shadow: unknown[] }).shadow = [{ '#bigint': '0' }, { '#bigint': '0' }];
    expectOneLineError(await run('replay', write('var.itf.json', t)), { pattern: /: step 3: after 'arrive\(vm1, flooding\)', variable env\.shadow/ });
  });

  test('JSON that is not ITF', async () => {
    expectOneLineError(await run('replay', write('plain.json', { hello: 'world' })), { pattern: /not an ITF trace: missing "#meta"/ });
  });

  test('not JSON at all', async () => {
    expectOneLineError(await run('replay', write('text.itf.json', 'sequenceDiagram\n')), { pattern: /not an ITF trace: invalid JSON/ });
  });

  test('an ITF trace without the vnicspec configuration', async () => {
    const t = original();
    delete t['#meta'].vnicspec;
    expectOneLineError(await run('replay', write('foreign.itf.json', t)), { pattern: /not one written by 'vnicspec check --trace-out'/ });
  });

  test('an invalid recorded configuration names the field', async () => {
    const t = original();
    // Random search (check --random) writes traces of up to 32 VMs.
    t['#meta'].vnicspec!.config['vms'] = 99;
    expectOneLineError(await run('replay', write('vms.itf.json', t)), { pattern: /#meta\.vnicspec\.config\.vms: must be at most 32/ });
  });

  test.each([
    ['a recorded property that names no property', (m: Record<string, unknown>) => void (m['property'] = 'no-such-property'), /#meta\.vnicspec\.property: must name a property \(isolation, /],
    ['a recorded property that was not checked', (m: Record<string, unknown>) => void (m['properties'] = ['isolation']), /#meta\.vnicspec\.property: 'no-cross-vm-starvation' is not among the checked properties/],
    ['a checked property that names no property', (m: Record<string, unknown>) => void (m['properties'] = ['isolation', 42]), /#meta\.vnicspec\.properties\.1: must name a property/],
    ['a version that is not a string', (m: Record<string, unknown>) => void (m['version'] = 1), /#meta\.vnicspec\.version: must be a string/],
  ])('#meta: %s', async (_what, tamper, pattern) => {
    const t = original();
    tamper(t['#meta'].vnicspec as unknown as Record<string, unknown>);
    expectOneLineError(await run('replay', write('meta.itf.json', t)), { pattern });
  });

  test('#meta.status and #meta.description must be strings', async () => {
    for (const field of ['status', 'description']) {
      const t = original();
      t['#meta'][field] = { evil: true };
      expectOneLineError(await run('replay', write('status.itf.json', t)), { pattern: new RegExp(`#meta\\.${field}: must be a string`) });
    }
  });

  test('a byte-order mark before the JSON is tolerated', async () => {
    const r = await run('replay', write('bom.itf.json', `\ufeff${readFileSync(xen, 'utf8')}`));
    expect(r.code).toBe(1);
  });

  test('a missing file', async () => {
    expectOneLineError(await run('replay', path('missing.itf.json')), { pattern: /cannot read '.*missing\.itf\.json': ENOENT/ });
  });

  test('no file argument', async () => {
    expectOneLineError(await run('replay'), { pattern: /missing required argument 'file'/ });
  });
});

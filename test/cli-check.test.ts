/** `vnicspec check`, run in-process with captured output. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectOneLineError, run } from './cli-run.js';
import { ACTION_VAR, parseItf } from '../src/trace/index.js';


interface CheckJson {
  verdict: string;
  property: string | null;
  message: string | null;
  incompleteReason: string | null;
  states: number;
  transitions: number;
  depth: number;
  seconds: number;
  statesPerSecond: number;
  internedContexts: number;
  memoizedSteps: number;
  rssBytes: number;
  config: { arch: string; vms: number; capacity: number; dma: string };
  properties: string[];
  search: { strategy: string; symmetry: boolean };
  trace: { step: number; action: string; vars: Record<string, unknown> }[] | null;
}

async function json(...argv: string[]): Promise<{ code: number; body: CheckJson; err: string }> {
  const r = await run('check', '--json', ...argv);
  return { code: r.code, body: JSON.parse(r.out) as CheckJson, err: r.err };
}


/** The step labels of a printed counterexample (`0: init`, `1: arrive(vm1, flooding)`, …). */
const stepLabels = (text: string): string[] => [...text.matchAll(/^\s*\d+: (.*)$/gm)].map((m) => m[1]!);

const XEN_CEX = ['init', 'arrive(vm1, flooding)', 'arrive(vm1, flooding)', 'arrive(vm1, flooding)', 'arrive(vm1, flooding)', 'arrive(vm0, conforming)'];
/** Distinct states of the default configuration (arch vnic, 2 VMs, capacity 2, drr, burst 1, rx ring 2). */
const VNIC_DEFAULT_STATES = 5127;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vnicspec-check-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('verdicts and exit codes', () => {
  test('xen-idd: a flooding VM starves the conforming one; a 5-step BFS counterexample', async () => {
    const r = await run('check', '--arch', 'xen-idd');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^vnicspec check\n {2}configuration: arch xen-idd, 2 VMs \(vm0 conforming, vm1 flooding\)/);
    expect(r.out).toContain("Property 'no-cross-vm-starvation' violated: vm0 conforms to its bandwidth specification, yet its packet was rejected (device-buffer-full)");
    const trace = r.out.slice(r.out.indexOf('Counterexample ('), r.out.indexOf('\nError: property'));
    expect(trace).toContain('Counterexample (5 steps;');
    expect(stepLabels(trace)).toEqual(XEN_CEX);
    // only what changed: step 1 lists the NIC's buffer, not the VMM that did not change
    const step1 = trace.slice(trace.indexOf('1: arrive'), trace.indexOf('2: arrive'));
    expect(step1).toContain('nic.used = 1');
    expect(step1).not.toContain('vmm');
    // the summary: states, transitions, depth, time, rate, interned contexts
    expect(r.out).toMatch(/^262 distinct states found, 463 transitions, depth 5\.$/m);
    expect(r.out).toMatch(/^Finished in \d+\.\d{3}s \([\d,]+ states\/s\)\.$/m);
    expect(r.out).toMatch(/^[\d,]+ distinct machine contexts interned, [\d,]+ machine steps memoized; resident memory [\d.]+ (B|KiB|MiB|GiB)\.$/m);
  });

  test('xen-idd --json: one parseable object with the verdict and the trace', async () => {
    const { code, body, err } = await json('--arch', 'xen-idd');
    expect(code).toBe(1);
    expect(body.verdict).toBe('violated');
    expect(body.property).toBe('no-cross-vm-starvation');
    expect(body.states).toBe(262);
    expect(body.depth).toBe(5);
    expect(typeof body.seconds).toBe('number');
    expect(body.config.arch).toBe('xen-idd');
    expect(body.properties).toHaveLength(7);
    expect(body.trace!.map((s) => s.action)).toEqual(XEN_CEX);
    expect(body.trace!.map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(body.trace![4]!.vars['nic']).toMatchObject({ used: 4 });
    expect(err).toMatch(/^vnicspec: property 'no-cross-vm-starvation' violated/);
  });

  test('vnic: every property holds; BFS and DFS agree on the state count', async () => {
    const r = await run('check', '--arch', 'vnic');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^All 11 properties hold\.$/m);
    // each witness is reported once, by the summary
    expect(r.out.match(/^sometimes 'reach-conforming-delivery': witnessed after \d+ steps$/gm)).toHaveLength(1);
    expect(r.out.match(/^sometimes 'reach-buffer-full': witnessed after \d+ steps$/gm)).toHaveLength(1);
    expect(r.out).not.toContain('sometimes-properties witnessed');
    expect(r.out).toContain('Model checking completed. No error has been found.');
    expect(r.out).toContain(`${VNIC_DEFAULT_STATES.toLocaleString('en-US')} distinct states found`);

    const dfs = await json('--arch', 'vnic', '--strategy', 'dfs');
    expect(dfs.code).toBe(0);
    expect(dfs.body.verdict).toBe('holds');
    expect(dfs.body.states).toBe(VNIC_DEFAULT_STATES);
    expect(dfs.body.search.strategy).toBe('dfs');
    expect(dfs.body.trace).toBeNull();
  });

  test('strict DMA priority breaks the waiting bound', async () => {
    const r = await run('check', '--dma', 'strict');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Property 'no-cross-vm-starvation' violated: the head packet of vNIC 0 \(vm0\) waited \d+ DMA slots granted to other vNICs \(bound 1, from the configured weights\)/);
  });

  test('--max-states: incomplete, exit 3, says which bound and that nothing was proven', async () => {
    const r = await run('check', '--max-states', '10');
    expect(r.code).toBe(3);
    expect(r.out).toContain('INCOMPLETE: the search reached the --max-states bound of 10 distinct states.');
    expect(r.out).toContain('Nothing was proven');
    const j = await json('--max-states', '10');
    expect(j.code).toBe(3);
    expect(j.body.verdict).toBe('incomplete');
    expect(j.body.incompleteReason).toBe('max-states');
    expect(j.err).toMatch(/incomplete.*nothing was proven/);
  });

  test('--max-depth cuts the search: exit 3 naming the bound', async () => {
    const r = await run('check', '--max-depth', '3');
    expect(r.code).toBe(3);
    expect(r.out).toContain('--max-depth bound of 3 steps');
  });

  test('--property selects what is checked', async () => {
    const { code, body } = await json('--arch', 'xen-idd', '--property', 'isolation', '--property', 'conservation', '--property', 'isolation', '--max-states', '500');
    expect(code).toBe(3);
    expect(body.properties).toEqual(['isolation', 'conservation']);
    const r = await run('check', '--arch', 'xen-idd', '--property', 'no-cross-vm-starvation');
    expect(r.code).toBe(1);
    expect(r.out).toContain('properties:    no-cross-vm-starvation\n');
  });

  test('--symmetry without interchangeable VMs: a one-line note saying why, and the same search', async () => {
    const { code, body, err } = await json('--symmetry');
    expect(code).toBe(0);
    expect(err).toBe('vnicspec: note: --symmetry: symmetry reduction is not available for this configuration (no two VMs have the same traffic, QoS and driver); searching without it\n');
    expect(body.search.symmetry).toBe(false);
    expect(body.states).toBe(VNIC_DEFAULT_STATES);
    // Collapse compression and memoized steps: far fewer machine contexts and steps than states and transitions.
    expect(body.internedContexts).toBeGreaterThan(0);
    expect(body.internedContexts).toBeLessThan(body.states);
    expect(body.memoizedSteps).toBeGreaterThan(body.internedContexts);
    expect(body.memoizedSteps).toBeLessThan(body.transitions);
    expect(body.rssBytes).toBeGreaterThan(1e6);
  });

  test('--symmetry with interchangeable VMs that strict DMA priority tells apart: the note says so', async () => {
    const { code, err, body } = await json('--vms', '3', '--dma', 'strict', '--symmetry');
    expect(code).toBe(1);
    expect(err.split('\n')[0]).toBe("vnicspec: note: --symmetry: symmetry reduction is not available for this configuration (the DMA arbiter's order tells the interchangeable VMs apart); searching without it");
    expect(body.search.symmetry).toBe(false);
  });

  test('--symmetry with two interchangeable conforming VMs: fewer states, same verdict, a concrete trace', async () => {
    const plain = await json('--arch', 'xen-idd', '--vms', '3');
    const reduced = await json('--arch', 'xen-idd', '--vms', '3', '--symmetry');
    expect(plain.code).toBe(1);
    expect(reduced.code).toBe(1);
    expect(reduced.body.search.symmetry).toBe(true);
    expect(reduced.body.property).toBe(plain.body.property);
    expect(reduced.body.states).toBeLessThan(plain.body.states);
    expect(reduced.body.trace).toHaveLength(plain.body.trace!.length);
    const r = await run('check', '--arch', 'xen-idd', '--vms', '3', '--symmetry');
    expect(r.out).toMatch(/search: +bfs, no bounds, symmetry on \(\d+ renamings of interchangeable VMs\)/);
  });
});

describe('bad input: exit 2, one line', () => {
  test.each([
    [['--property', 'nope'], /--property: unknown property 'nope' \(known: isolation, qos-admission, bandwidth-conformance, no-cross-vm-starvation, conservation, vmm-nic-agreement, msi-routing, dma-fairness, reach-conforming-delivery, reach-buffer-full, eventual-delivery\)/],
    [['--vms', '0'], /--vms: must be an integer from 1 to 32 \(got '0'\)/],
    [['--vms', '5'], /--vms 5 is beyond exhaustive search \(at most 4 VMs .*add --random/],
    [['--vms', 'two'], /--vms: must be an integer/],
    [['--capacity', '9'], /--capacity 9 is beyond exhaustive search/],
    [['--max-depth', '0'], /--max-depth: must be an integer from 1 to 9007199254740991 \(got '0'\)/],
    [['--max-states', '-3'], /--max-states: must be an integer from 1 to 9007199254740991/],
    [['--max-states', '1e6'], /--max-states: must be an integer from 1 to 9007199254740991 \(got '1e6'\)/],
    [['--timeout', '0'], /--timeout: must be a number from 0.001 to 31536000 seconds \(got '0'\)/],
    [['--timeout', '0x10'], /--timeout: must be a number from 0.001 to 31536000 seconds \(got '0x10'\)/],
    [['--arch', 'native'], /--arch: must be one of vnic, xen-idd, mixed/],
    [['--dma', 'fifo'], /--dma: must be one of strict, wrr, drr/],
    [['--strategy', 'random'], /--strategy: must be one of bfs, dfs/],
    [['--trace-out', 'cex.json'], /--trace-out: cannot tell the format of 'cex\.json'.*\.itf\.json, \.mmd, \.txt/],
    [['--trace-out', '/nonexistent-dir/cex.txt'], /--trace-out: cannot write '\/nonexistent-dir\/cex\.txt': no such directory \(ENOENT\)/],
    [['--bogus'], /unknown option '--bogus'/],
  ])('check %j', async (argv, pattern) => {
    expectOneLineError(await run('check', ...argv), { pattern });
  });
});

describe('--trace-out', () => {
  test('.itf.json: valid ITF with action_taken and the configuration in #meta', async () => {
    const file = join(dir, 'xen.itf.json');
    const r = await run('check', '--arch', 'xen-idd', '--trace-out', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`wrote the 5-step counterexample to '${file}'`);
    const itf = parseItf(readFileSync(file, 'utf8'));
    expect(itf.meta['format']).toBe('ITF');
    expect(itf.meta['source']).toBe('vnicspec check');
    expect(itf.meta['status']).toBe('violation');
    expect(String(itf.meta['description'])).toMatch(/^no-cross-vm-starvation: vm0 conforms/);
    expect(itf.meta['vnicspec']).toMatchObject({ config: { arch: 'xen-idd', vms: 2 }, property: 'no-cross-vm-starvation' });
    expect(itf.vars).toContain(ACTION_VAR);
    expect(itf.vars).toContain('flags');
    expect(itf.states).toHaveLength(6);
    expect(itf.trace.steps.map((s) => s.label)).toEqual(XEN_CEX);
  });

  test('.mmd: a Mermaid sequence diagram with the environment and the components as lifelines', async () => {
    const file = join(dir, 'xen.mmd');
    expect((await run('check', '--arch', 'xen-idd', '--trace-out', file)).code).toBe(1);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('sequenceDiagram\n')).toBe(true);
    const lifelines = [...text.matchAll(/^ {2}participant (\S+)$/gm)].map((m) => m[1]);
    expect(lifelines).toEqual(['env', 'wire', 'nic', 'vmm', 'idd', 'vm0', 'vm1']);
    expect(text).toContain('Note over env,vm1: 5. arrive(vm0, conforming)');
    expect(text).toContain('env->>nic: rx.arrive(packet=flood→2)');
  });

  test('.txt: each step with what changed and its messages, senders included', async () => {
    const file = join(dir, 'strict.txt');
    const r = await run('check', '--dma', 'strict', '--trace-out', file);
    expect(r.code).toBe(1);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# vnicspec check: property no-cross-vm-starvation: the head packet of vNIC 0/);
    expect(text).toContain('# configuration: arch vnic, 2 VMs');
    expect(text).toContain('| env -> nic: rx.arrive(packet=request→1)');
    // The NIC's parts talk: the classifier hands the packet to its vNIC, the DMA engine completes the transfer.
    expect(text).toContain('| nic -> vnic0: rx.arrive(packet=request→1)');
    expect(text).toContain('| dma -> dma: dma.done');
    expect(text).toMatch(/\| vnic\d -> vm\d: ring\.deposit\(/);
    expect(text).toMatch(/\| vnic\d -> vmm: msi\(vector=\d\)/);
    expect(text).not.toContain('messages unavailable');
    const labels = stepLabels(text);
    expect(labels[0]).toBe('init');
    expect(labels).toHaveLength(8);
  });

  test('nothing to write when all properties hold: says so, writes nothing', async () => {
    const file = join(dir, 'none.itf.json');
    const r = await run('check', '--trace-out', file);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/--trace-out: no counterexample to write \(all properties hold\)/);
    expect(existsSync(file)).toBe(false);
  });

  test('an unwritable target: exit 2 with the reason from the system', async () => {
    const target = join(dir, 'is-a-dir.txt');
    mkdirSync(target);
    const r = await run('check', '--arch', 'xen-idd', '--trace-out', target);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--trace-out: cannot write '.*is-a-dir\.txt': it is a directory \(EISDIR\)/);
  });
});

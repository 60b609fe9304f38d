/**
 * Internal errors cannot come from input (issue 12): a fast-check property over hostile inputs to every command,
 * run in-process. Scenario files are generated structure-aware — valid shapes with extreme numbers, broken shapes,
 * broken JSON — and so are traces for replay (a real counterexample, tampered with), shards for merge (a sweep's and
 * a random check's, tampered with) and argv for every command and
 * every option the CLI has (read from commander, so new flags are fuzzed too). Every case must end with an exit
 * code in {0, 1, 2, 3}, never 70; never print a stack trace or "internal error"; name what is wrong when it exits
 * 2; and take bounded wall time (a watchdog interrupts any run that gets going, as Ctrl-C would).
 *
 * CI: 2,000 cases with a fixed seed. `npm run fuzz` runs more (VNICSPEC_FUZZ_RUNS, default 20,000) with the seed
 * in VNICSPEC_FUZZ_SEED (default: the clock, printed); a failing case is written to fuzz-failures/SEED/ as the
 * files it needs and repro.sh, the command that reproduces it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { commandShapes, main, type CommandShape } from '../src/cli/main.js';
import { watchStop } from '../src/cli/interrupt.js';
import { run } from './cli-run.js';

const LONG = process.env['VNICSPEC_FUZZ'] === 'long';
const RUNS = Number(process.env['VNICSPEC_FUZZ_RUNS'] ?? (LONG ? 20_000 : 2_000));
const SEED = Number(process.env['VNICSPEC_FUZZ_SEED'] ?? (LONG ? Date.now() % 2 ** 31 : 12));
/** A run that gets going is interrupted after this long, as a user's Ctrl-C would. */
const WATCHDOG_S = LONG ? 1 : 0.25;
/** No case may take longer than this (the watchdog's stop, the partial report, a loaded machine). */
const CASE_LIMIT_MS = 15_000;

let dir: string;
let trace: string;
/** Two shards each of a sweep and of a random check, as merge reads them. */
let shardPairs: (readonly [string, string])[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vnicspec-fuzz-'));
  mkdirSync(join(dir, 'a-directory.itf.json'));
  trace = readFileSync(await counterexample(), 'utf8');
  shardPairs = await shards();
}, 60_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  const counts = [...tally].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k}: ${n}`);
  process.stdout.write(`fuzz seed ${SEED}, cases by command and exit code: ${counts.join(', ')}\n`);
});

async function counterexample(): Promise<string> {
  const file = join(dir, 'xen.itf.json');
  const r = await run('check', '--arch', 'xen-idd', '--trace-out', file);
  expect(r.code).toBe(1);
  return file;
}

async function shards(): Promise<(readonly [string, string])[]> {
  const made = async (argv: (shard: string) => string[]): Promise<readonly [string, string]> => {
    const [a, b] = [await run(...argv('1/2')), await run(...argv('2/2'))];
    expect([a.code, b.code]).toEqual([0, 0]);
    return [a.out, b.out];
  };
  return [
    await made((s) => ['check', '--random', '--traces', '20', '--depth', '20', '--shard', s, '--json']),
    await made((s) => ['sweep', '--scenario', 'single-vm', '--rates', '100', '--seeds', '2', '--duration', '0.01', '--jobs', '1', '--shard', s, '--out', join(dir, `shard-${s[0]}`), '--json']),
  ];
}

/** Every path into a JSON document, containers included (arrays: their first four items). */
function jsonPaths(o: unknown, p: readonly (string | number)[] = []): (readonly (string | number)[])[] {
  const here = p.length > 0 ? [p] : [];
  if (Array.isArray(o)) return [...here, ...o.slice(0, 4).flatMap((v, i) => jsonPaths(v, [...p, i]))];
  if (o !== null && typeof o === 'object') return [...here, ...Object.entries(o).flatMap(([k, v]) => jsonPaths(v, [...p, k]))];
  return here;
}

/** `doc` with the value at `path` replaced (undefined: removed). */
function replaced(doc: unknown, path: readonly (string | number)[], value: unknown): unknown {
  let o = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) o = o[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete o[last];
  else o[last] = value;
  return doc;
}

// ---- values --------------------------------------------------------------------------------------------------------

const EXTREME = [0, -0, 1, -1, 0.5, 1e-300, 5e-324, 1e-9, 1e-7, 1e-6, 1e300, Number.MAX_VALUE, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 1e9, 1e10, 64, 63, 9216, 9217, 2048, 2049, 1e8];
const extremeNumber: fc.Arbitrary<number> = fc.oneof(fc.constantFrom(...EXTREME), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -1_000_000, max: 1_000_000 }));
const NAMES = ['vm1', 'vm2', 'a', 'a\nb\u001b[31mRED', ' ', '', '\u202e', '\u0000', 'x'.repeat(70), 'ω'];
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('1500', '0x10', '1_000', 'NaN', 'Infinity', null, true, [], {}, [1, 2], { nested: { deep: 1 } }),
  fc.string({ maxLength: 8 }),
);
/** Mostly plausible, sometimes extreme, now and then of the wrong type. */
const num = (plausible: readonly number[]): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...plausible) }, { weight: 3, arbitrary: extremeNumber }, { weight: 1, arbitrary: junk });
const some = <T>(arb: fc.Arbitrary<T>, weight = 1): fc.Arbitrary<T> => fc.oneof({ weight: 8, arbitrary: arb }, { weight, arbitrary: junk as fc.Arbitrary<T> });
/** `arb` one time in `n`, else null. */
const rarely = <T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | null> => fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
/** An object whose keys may be left out, with an unknown key now and then. */
function record(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(fc.record(fields, { requiredKeys: [] }), rarely(fc.constantFrom('bogus', 'rateMbit', '$schema'), 8))
    .map(([o, extra]) => (extra === null ? o : { ...o, [extra]: extra === '$schema' ? 'x.json' : 1 }));
}

const vmName = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('vm1', 'vm2') }, { weight: 2, arbitrary: fc.constantFrom(...NAMES) });
const vm = record({
  name: vmName,
  qos: some(record({ rateMbps: num([1, 100, 200, 1000]), burstBytes: num([1500, 65536]), partitionBytes: num([3000, 131072]), priority: num([0, 1, 2]), weight: num([1, 2]) })),
  bestEffort: some(fc.boolean()),
  replyBytes: num([64, 1024, 1500]),
  txRateMbps: num([10, 1000]),
});
const stream = fc.oneof(
  record({ kind: fc.constant('open-loop'), vm: vmName, rate: num([100, 1500, 20000]), arrivals: some(fc.constantFrom('constant', 'poisson', 'bursty')), requestBytes: num([64, 128]), startS: num([0, 0.001, 0.002]) }),
  record({ kind: fc.constant('closed-loop'), vm: vmName, thinkMs: num([0, 1]), timeoutMs: num([1, 200]), requestBytes: num([128]), startS: num([0, 0.002]) }),
  record({
    kind: fc.constant('flood'),
    target: fc.oneof(fc.record({ vm: vmName }), fc.record({ mac: num([1, 999, 2 ** 48]) }), junk),
    rate: num([1000, 50000]),
    arrivals: some(fc.constantFrom('constant', 'poisson')),
    packetBytes: num([64, 1500]),
    startS: num([0, 0.003]),
  }),
  junk,
);
const nic = record({
  linkGbps: num([1, 10]),
  memoryBytes: num([1 << 20, 65536]),
  msiVectors: num([1, 3, 8]),
  dmaArbiter: some(fc.constantFrom('strict', 'wrr', 'drr', 'fifo')),
  drrQuantumBytes: num([1514, 64]),
  rxRing: num([4, 256]),
  txRing: num([4, 256]),
  sharedBufferBytes: num([4500, 262144]),
});

interface FileCase {
  readonly text: string;
  readonly calibration?: string;
}

const chaotic: fc.Arbitrary<Record<string, unknown>> = record({
  name: fc.oneof({ weight: 8, arbitrary: fc.constant('fuzz') }, { weight: 2, arbitrary: fc.constantFrom(...NAMES) }),
  description: some(fc.string({ maxLength: 20 })),
  arch: some(fc.constantFrom('vnic', 'xen-idd', 'native', 'mixed', 'kvm')),
  cores: some(fc.constantFrom('single', 'multi')),
  durationS: num([0.002, 0.005, 0.01]),
  warmupS: num([0, 0.001]),
  seed: num([1, 7, 2 ** 53 - 1]),
  nic: some(nic),
  vms: some(fc.array(vm, { minLength: 0, maxLength: 3 })),
  streams: some(fc.array(stream, { maxLength: 3 })),
  calibration: fc.constantFrom('cal.json', '/nonexistent/cal.json', '', 'a-directory.itf.json'),
});

/**
 * A valid scenario whose numbers sit anywhere in their ranges, the edges included (rate 1e-6/s, 2048 MSI vectors,
 * 64-byte frames, a 1-ns timeout): it must run (or be refused as too much work) without an internal error.
 */
const at = <T>(...values: T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
const validVm = (name: string) =>
  fc.record({
    name: fc.constant(name),
    qos: fc.record({ rateMbps: at(0.001, 1, 200, 1_600_000), burstBytes: at(64, 1500, 65536, 2 ** 32), partitionBytes: at(64, 3000, 131072, 64 * 2 ** 20), priority: at(0, 1000), weight: at(1, 1000) }, { requiredKeys: [] }),
    bestEffort: fc.boolean(),
    replyBytes: at(64, 1024, 9216),
    txRateMbps: at(0.001, 10, 1_600_000),
  }, { requiredKeys: ['name'] });
const validStream = (vms: readonly string[]) =>
  fc.oneof(
    fc.record({ kind: fc.constant('open-loop'), vm: at(...vms), rate: at(1e-6, 1, 1500, 100_000), arrivals: at('constant', 'poisson'), requestBytes: at(64, 9216), startS: at(0, 1e-9, 0.002) }, { requiredKeys: ['kind', 'vm', 'rate'] }),
    fc.record({ kind: fc.constant('closed-loop'), vm: at(...vms), thinkMs: at(0, 1e-6, 1), timeoutMs: at(1e-6, 0.01, 200, 9007199000), requestBytes: at(64, 128), startS: at(0, 0.001) }, { requiredKeys: ['kind', 'vm'] }),
    fc.record({ kind: fc.constant('flood'), target: fc.oneof(fc.record({ vm: at(...vms) }), fc.record({ mac: at(0, 999, 2 ** 48 - 1) })), rate: at(1e-6, 1000, 1e6), arrivals: at('constant', 'poisson'), packetBytes: at(64, 1500, 9216), startS: at(0, 0.001) }, { requiredKeys: ['kind', 'target'] }),
  );
const valid: fc.Arbitrary<Record<string, unknown>> = fc
  .integer({ min: 1, max: 3 })
  .chain((n) => {
    const names = ['vm1', 'vm2', 'vm3'].slice(0, n);
    return fc.record(
      {
        name: at('fuzz', 'ω', 'a\u001b[31m'),
        arch: at('vnic', 'xen-idd', 'native', 'mixed'),
        cores: at('single', 'multi'),
        durationS: at(1e-9, 0.002, 0.01, 0.02),
        seed: at(0, 7, 2 ** 53 - 1),
        nic: fc.record({ linkGbps: at(0.001, 1, 1600), memoryBytes: at(64, 1 << 20, 64 * 2 ** 20), msiVectors: at(1, 2, 2048), dmaArbiter: at('strict', 'wrr', 'drr'), drrQuantumBytes: at(64, 1514, 2 ** 20), rxRing: at(1, 256, 32768), txRing: at(1, 32768), sharedBufferBytes: at(64, 262144) }, { requiredKeys: [] }),
        vms: fc.tuple(...names.map(validVm)),
        streams: fc.array(validStream(names), { maxLength: 3 }),
      },
      { requiredKeys: ['name', 'vms'] },
    );
  });

/** Paths of number fields in a valid scenario, for putting one wrong value in an otherwise good file. */
const SPOTS: readonly (readonly (string | number)[])[] = [
  ['durationS'], ['seed'], ['nic', 'msiVectors'], ['nic', 'linkGbps'], ['nic', 'memoryBytes'], ['nic', 'rxRing'], ['nic', 'drrQuantumBytes'],
  ['vms', 0, 'name'], ['vms', 0, 'replyBytes'], ['vms', 0, 'qos', 'rateMbps'], ['vms', 0, 'qos', 'priority'], ['streams', 0, 'rate'], ['streams', 0, 'startS'],
  ['streams', 0, 'timeoutMs'], ['streams', 0, 'thinkMs'], ['streams', 0, 'packetBytes'], ['streams', 0, 'kind'], ['streams', 0, 'vm'], ['vms'], ['streams'],
];
const oneWrong: fc.Arbitrary<Record<string, unknown>> = fc.tuple(valid, fc.constantFrom(...SPOTS), fc.oneof(extremeNumber, junk)).map(([body, path, value]) => {
  let o: Record<string | number, unknown> = body;
  for (const key of path.slice(0, -1)) {
    const next = o[key];
    if (typeof next !== 'object' || next === null) return body;
    o = next as Record<string | number, unknown>;
  }
  o[path[path.length - 1]!] = value;
  return body;
});

const scenario: fc.Arbitrary<FileCase> = fc
  .record({
    body: fc.oneof({ weight: 4, arbitrary: valid }, { weight: 4, arbitrary: oneWrong }, { weight: 2, arbitrary: chaotic }),
    calibration: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constant('{ "demandsNs": {}, "nic": { "dmaSetupNs": 500, "dmaBytesPerNs": 2 } }') },
      { weight: 1, arbitrary: fc.constant('{ "demandsNs": { "vm.app": 1e-300 } }') },
      {
        weight: 1,
        arbitrary: record({ demandsNs: fc.dictionary(fc.constantFrom('vm.app', 'vm.driverRx', 'vmm.forward', 'idd.bridge', 'x'), num([0, 90000, 1e9])), nic: some(record({ dmaSetupNs: num([500]), dmaBytesPerNs: num([2, 0]) })) }).map((c) =>
          JSON.stringify(c),
        ),
      },
    ),
    bom: fc.boolean(),
    cut: rarely(fc.nat(400), 10),
    huge: rarely(fc.constant(true), 10),
  })
  .map(({ body, calibration, bom, cut, huge }) => {
    let text = JSON.stringify(calibration === undefined || 'calibration' in body ? body : { ...body, calibration: 'cal.json' });
    // JSON.stringify never writes a number too large for a double; a user's file may.
    if (huge !== null) text = text.replace(/("durationS":|"rate":|"seed":)[^,}]*/, '$11e400');
    if (cut !== null) text = text.slice(0, cut);
    return { text: (bom ? '\ufeff' : '') + text, ...(calibration !== undefined ? { calibration } : {}) };
  });

/** A real counterexample, tampered with where replay relies on it. */
type Tamper = (t: Record<string, unknown>) => void;
const tampered: fc.Arbitrary<Tamper> = fc.oneof(
  fc.constant<Tamper>(() => undefined),
  fc.tuple(fc.constantFrom('property', 'properties', 'version', 'config'), junk).map(([k, v]): Tamper => (t) => void ((t['#meta'] as { vnicspec: Record<string, unknown> }).vnicspec[k] = v)),
  fc.tuple(fc.constantFrom('arch', 'vms', 'capacity', 'roles', 'priorities', 'dma', 'churn'), fc.oneof(junk, extremeNumber)).map(([k, v]): Tamper => (t) => void ((t['#meta'] as { vnicspec: { config: Record<string, unknown> } }).vnicspec.config[k] = v)),
  fc.tuple(fc.constantFrom('status', 'description', 'format'), junk).map(([k, v]): Tamper => (t) => void ((t['#meta'] as Record<string, unknown>)[k] = v)),
  fc.tuple(fc.nat(6), fc.constantFrom('action_taken', 'machines', 'pending', '#meta'), junk).map(([i, k, v]): Tamper => (t) => {
    const states = t['states'] as Record<string, unknown>[];
    const s = states[i % states.length];
    if (s !== undefined) s[k] = v;
  }),
  fc.constantFrom('vars', 'states', '#meta').map((k): Tamper => (t) => void delete t[k]),
);

// ---- argv ----------------------------------------------------------------------------------------------------------

const HOSTILE = ['', ' ', '0', '-1', '0x10', '1_000', '1e400', '5e-324', 'NaN', 'Infinity', '9007199254740993', '1e-9', '1.5', '-0', 'abc', '\u001b[31m', 'a\nb', '--', '%', '50%', '1:2:3', '1,,2', '3:1:1', '1e9', '99999999999999999999'];
const PLAUSIBLE: Readonly<Record<string, readonly string[]>> = {
  '--scenario': ['single-vm', 'httperf-2vm', 'flood', 'no-such', '/nonexistent.json'],
  '--duration': ['0.005', '0.01'],
  '--warmup': ['0', '0.001'],
  '--timeout': ['1', '0.5'],
  '--rates': ['100,200', '100:300:100', '0'],
  '--rate': ['100', '1500'],
  '--seeds': ['1', '2'],
  '--jobs': ['1'],
  '--workers': ['1'],
  '--vms': ['1', '2', '9'],
  '--capacity': ['1', '2'],
  '--burst': ['1'],
  '--rx-ring': ['1', '2'],
  '--max-states': ['500', '2000'],
  '--max-depth': ['5', '20'],
  '--traces': ['10', '50'],
  '--depth': ['10', '30'],
  '--memory': ['64M', '1G', '40%', '2GB'],
  '--property': ['isolation', 'conservation', 'bogus'],
  '--shard': ['1/2', '3/2', '0/0'],
  '--figures': ['/nonexistent.json'],
  '--calibration': ['/nonexistent.json'],
  '--walk': ['0', '1'],
  '--cores': ['single', 'multi', 'many'],
  '--vary': ['open-loop', 'flood', 'x'],
  '--system': ['paper-2vm', 'churn', 'adversarial', 'no-such', '/nonexistent.json'],
  '--sizes': ['1', '1,3', '64'],
  '--only': ['partition-off-by-one', 'bucket-overfill', 'no-such'],
};
/** Flags that bound a command's work so that a valid case stays cheap; fuzzed flags come after and win. */
const CHEAP: Readonly<Record<string, readonly string[]>> = {
  simulate: ['--duration', '0.01'],
  check: ['--max-states', '3000'],
  sweep: ['--duration', '0.005', '--rates', '100', '--jobs', '1'],
  reproduce: ['--quick', '--jobs', '1'],
  mutants: ['--only', 'partition-off-by-one'],
};

/** Output directories stay in the test's folder: a relative `--out abc` would create ./abc in the checkout. */
const contained = (flag: string, v: string): string => (flag === '--out' && v !== '' && !isAbsolute(v) ? join(dir, 'relative', v) : v);

function argvFor(c: CommandShape, files: { out: string; trace: string; scenario: string }): fc.Arbitrary<string[]> {
  const pathValues = ['/proc/x.itf.json', join(dir, 'a-directory.itf.json'), join(dir, 'cex.txt'), join(dir, 'cex.mmd'), join(dir, 'x.unknown'), files.out];
  const value = (flag: string, choices: readonly string[] | undefined): fc.Arbitrary<string> =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...(choices ?? PLAUSIBLE[flag] ?? ['1', '2'])) },
      { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
      { weight: 1, arbitrary: fc.constantFrom(...pathValues, files.scenario) },
    ).map((v) => contained(flag, v));
  const option: fc.Arbitrary<string[]> = c.options.length === 0 ? fc.constant([]) : fc.constantFrom(...c.options).chain((o) => (o.value ? value(o.flag, o.choices).map((v) => [o.flag, v]) : fc.constant([o.flag])));
  const extra = fc.oneof({ weight: 6, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.constantFrom<string[]>(['--bogus'], ['extra-arg'], ['-x'], ['--help']) });
  const args = fc.array(fc.constantFrom(files.trace, files.scenario, '/nonexistent', join(dir, 'a-directory.itf.json')), { minLength: 0, maxLength: c.args + 1 });
  const out = c.options.some((o) => o.flag === '--out') ? ['--out', files.out] : [];
  return fc.tuple(fc.array(option, { maxLength: 4 }), args, extra).map(([opts, a, x]) => [c.name, ...(CHEAP[c.name] ?? []), ...out, ...opts.flat(), ...a, ...x]);
}

// ---- running a case ------------------------------------------------------------------------------------------------

interface Outcome {
  readonly argv: readonly string[];
  readonly code: number;
  readonly out: string;
  readonly err: string;
  readonly ms: number;
}

/** Exit codes seen, per command: printed at the end, to see what the cases reach. */
const tally = new Map<string, number>();

async function runCase(argv: readonly string[]): Promise<Outcome> {
  let out = '';
  let err = '';
  const watchdog = watchStop(undefined, WATCHDOG_S);
  const started = performance.now();
  try {
    const code = await main([...argv], { out: (s) => void (out += s), err: (s) => void (err += s), interrupt: watchdog.signal });
    const key = `${argv[0] ?? '(none)'} exit ${code}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
    return { argv, code, out, err, ms: performance.now() - started };
  } finally {
    watchdog.dispose();
  }
}

/** How a message on exit 2 names what is wrong: a flag, a field path, a step of a trace, or the file it cannot use. */
const NAMES_THE_PROBLEM: readonly RegExp[] = [
  /--(?!help')[a-z][a-z-]*|'-[a-zA-Z]'/, // a flag: --duration: must be …, unknown option '--x', required option '--scenario <…>'
  /^vnicspec: (.*?: )?(\(top level\)|[#$A-Za-z][\w$#-]*(\[\d+\])?(\.[#$\w-]+(\[\d+\])?)*): /, // a field path: streams[0].rate: must be …
  /: (not valid JSON|not an ITF trace|cannot read)|step \d+|states\[\d+\]|"[#$\w.-]+"/, // the file or the part of it
  /: [\w$#-]+(\.[\w$#-]+|\[\d+\])* is .* here, .* there$/, // shards that do not match: where they differ
  /: shard \d+\/\d+ given twice \(also |^vnicspec: missing shards? /, // shards: which one, in which files
  /unknown command|too many arguments|missing required|no scenario|no system|this run would take|^vnicspec: error: /,
];
const namesTheProblem = (err: string): boolean => err.startsWith('Usage: vnicspec') || err.split('\n').some((l) => l.startsWith('vnicspec: ') && NAMES_THE_PROBLEM.some((r) => r.test(l)));

/** The invariants of every case; writes the case to fuzz-failures/ before failing. */
function check(o: Outcome, files: Readonly<Record<string, string>>): void {
  const problems: string[] = [];
  if (![0, 1, 2, 3].includes(o.code)) problems.push(`exit ${o.code}`);
  if (/\n\s+at \S|vnicspec: internal error|FATAL ERROR/.test(o.err + o.out)) problems.push('a stack trace or an internal error');
  if (/SPECIFICATION ERROR/.test(o.err + o.out) && files['scenario.json'] !== undefined) problems.push('a specification error from a scenario file');
  if (o.code === 2 && !namesTheProblem(o.err)) problems.push('exit 2 without naming the field or flag');
  if (o.ms > CASE_LIMIT_MS) problems.push(`took ${Math.round(o.ms)} ms`);
  if (problems.length === 0) return;
  const where = join(process.cwd(), 'fuzz-failures', String(SEED));
  mkdirSync(where, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(where, name), text);
  const quoted = o.argv.map((a) => `'${a.replaceAll(dir, '.').replaceAll("'", "'\\''")}'`).join(' ');
  writeFileSync(join(where, 'repro.sh'), `#!/bin/sh\n# ${problems.join('; ')}\ncd "$(dirname "$0")" && node ../../bin/vnicspec.js ${quoted}\n`, { mode: 0o755 });
  throw new Error(`${problems.join('; ')} — reproduce with ${join(where, 'repro.sh')}\nargv: ${JSON.stringify(o.argv)}\nstderr: ${o.err.slice(0, 600)}`);
}

// ---- the properties ------------------------------------------------------------------------------------------------

const shapes = commandShapes();
const fcParams = (share: number): fc.Parameters<unknown> => ({ numRuns: Math.max(1, Math.round(RUNS * share)), seed: SEED, endOnFailure: !LONG });

describe(`hostile input never causes an internal error (seed ${SEED}, ${RUNS} cases)`, () => {
  test('scenario files: valid shapes with extreme numbers, broken shapes, broken JSON', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.oneof({ weight: 12, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.constantFrom<string[]>(['--compare'], ['--json'], ['--arch', 'mixed'], ['--duration', '1e10'], ['--timeout', '0.5']) }), async (c, more) => {
        const files: Record<string, string> = { 'scenario.json': c.text, ...(c.calibration !== undefined ? { 'cal.json': c.calibration } : {}) };
        for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
        if (c.calibration === undefined) rmSync(join(dir, 'cal.json'), { force: true });
        check(await runCase(['simulate', '--scenario', join(dir, 'scenario.json'), ...more]), files);
      }),
      fcParams(0.45),
    );
  }, 600_000);

  test('traces for replay: a real counterexample, tampered with', async () => {
    await fc.assert(
      fc.asyncProperty(tampered, fc.boolean(), async (tamper, bom) => {
        const t = JSON.parse(trace) as Record<string, unknown>;
        tamper(t);
        const text = (bom ? '\ufeff' : '') + JSON.stringify(t);
        writeFileSync(join(dir, 'replay.itf.json'), text);
        check(await runCase(['replay', join(dir, 'replay.itf.json')]), { 'replay.itf.json': text });
      }),
      fcParams(0.1),
    );
  }, 600_000);

  test("shards for merge: a sweep's and a random check's, tampered with", async () => {
    const change = fc.oneof(extremeNumber, junk, fc.constant(undefined));
    await fc.assert(
      fc.asyncProperty(fc.nat(1), fc.nat(1), fc.nat(), change, fc.boolean(), rarely(fc.nat(3000), 8), async (kind, which, at, value, bom, cut) => {
        const pair = shardPairs[kind]!;
        const doc: unknown = JSON.parse(pair[which]!);
        const paths = jsonPaths(doc);
        let text = JSON.stringify(replaced(doc, paths[at % paths.length]!, value));
        if (cut !== null) text = text.slice(0, cut);
        const files = { 'a.json': (bom ? '\ufeff' : '') + text, 'b.json': pair[1 - which]! };
        for (const [name, t] of Object.entries(files)) writeFileSync(join(dir, name), t);
        check(await runCase(['merge', '--out', join(dir, 'merged'), join(dir, 'a.json'), join(dir, 'b.json')]), files);
      }),
      fcParams(0.05),
    );
  }, 600_000);

  test('argv for every command and every option', async () => {
    const files = { out: join(dir, 'out'), trace: join(dir, 'xen.itf.json'), scenario: join(dir, 'argv-scenario.json') };
    writeFileSync(files.scenario, JSON.stringify({ name: 'argv', durationS: 0.01, vms: [{ name: 'vm1' }], streams: [{ kind: 'open-loop', vm: 'vm1', rate: 200 }] }));
    const anyCommand = fc.oneof(...shapes.map((c) => ({ weight: c.name === 'reproduce' ? 1 : 4, arbitrary: argvFor(c, files) })), { weight: 1, arbitrary: fc.constantFrom(['bogus'], [], ['--version'], ['help', 'check']) });
    await fc.assert(
      fc.asyncProperty(anyCommand, async (argv) => check(await runCase(argv), {})),
      fcParams(0.4),
    );
  }, 600_000);
});

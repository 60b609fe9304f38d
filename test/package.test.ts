/**
 * The package as a user gets it. A copy of the project is packed (`npm pack`, so `prepack` builds it from clean),
 * the tarball is installed into an empty project with production dependencies only, and there:
 * `npx vnicspec --help`, one check and one simulate run; a small ESM script imports every entry point and a JSON
 * Schema by the package name; the examples, built, run against the installed package; and a TypeScript consumer
 * type-checks against the shipped declarations without skipLibCheck.
 *
 * Needs the npm registry or npm's cache for the dependencies (as `npm ci` does). Takes 30–60 s.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..');
/** What the build needs; everything else (tests, benches, docs, .git) stays behind. */
const SOURCES = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin', 'src', 'spec', 'properties', 'schemas', 'examples', 'scripts'];

// npm passes its own lifecycle state to `npm test`'s children; the npm commands below start fresh.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(lifecycle|package|command)|^INIT_CWD$/.test(k)));

let tmp: string;
let app: string;
let packed: { files: { path: string }[]; filename: string };

function sh(cwd: string, command: string, args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
}

function ok(r: SpawnSyncReturns<string>): string {
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'vnicspec-pack-'));
  const project = join(tmp, 'project');
  mkdirSync(project);
  for (const s of SOURCES) cpSync(join(root, s), join(project, s), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'), 'dir');
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: project, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // prepack's and prepare's build logs may precede the JSON.
  packed = (JSON.parse(out.slice(out.indexOf('[\n'))) as (typeof packed)[])[0]!;

  app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  ok(sh(app, 'npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', join(tmp, packed.filename)]));
  // The examples, as the prepack build compiled them, beside the files they read.
  mkdirSync(join(app, 'examples'));
  for (const f of readdirSync(join(project, 'dist', 'examples')).filter((x) => x.endsWith('.js'))) cpSync(join(project, 'dist', 'examples', f), join(app, 'examples', f));
  for (const f of readdirSync(join(project, 'examples')).filter((x) => x.endsWith('.json'))) cpSync(join(project, 'examples', f), join(app, 'examples', f));
}, 300_000);

afterAll(() => {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
}, 120_000);

describe('npm pack', () => {
  test('ships the built JavaScript and declarations, the data files, the schemas, README, LICENSE and CHANGELOG; nothing else', () => {
    const files = packed.files.map((f) => f.path).sort();
    for (const must of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'bin/vnicspec.js',
      'dist/src/api/index.js',
      'dist/src/api/index.d.ts',
      'dist/src/api/explore.d.ts',
      'dist/src/api/spec.d.ts',
      'dist/src/api/properties.d.ts',
      'dist/src/cli/main.js',
      'spec/scenarios/httperf-2vm.json',
      'spec/calibration/default.json',
      'spec/systems/paper-2vm.json',
      'schemas/scenario.schema.json',
      'schemas/system.schema.json',
      'schemas/calibration.schema.json',
    ]) {
      expect(files).toContain(must);
    }
    const unexpected = files.filter(
      (f) =>
        !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin/vnicspec.js'].includes(f) &&
        !/^dist\/(src|spec|properties)\/.*\.(js|d\.ts)$/.test(f) &&
        !/^spec\/(scenarios|calibration|systems)\/.+\.json$/.test(f) &&
        !/^schemas\/[^/]+\.schema\.json$/.test(f),
    );
    expect(unexpected).toEqual([]);
    // Test-only code and dev dependencies stay out.
    expect(files.filter((f) => f.includes('arbitraries'))).toEqual([]);
  });
});

describe('installed from the tarball, production dependencies only', () => {
  test('npx vnicspec --help, check and simulate', () => {
    expect(ok(sh(app, 'npx', ['--no-install', 'vnicspec', '--help']))).toMatch(/^Usage: vnicspec \[options\] \[command\]/);
    const check = sh(app, 'npx', ['--no-install', 'vnicspec', 'check', '--arch', 'xen-idd']);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain("Property 'no-cross-vm-starvation' violated");
    expect(ok(sh(app, 'npx', ['--no-install', 'vnicspec', 'simulate', '--scenario', 'httperf-2vm', '--duration', '0.5']))).toMatch(/vm1 .* vm2 /s);
  });

  test('an ESM script imports every entry point and a schema by the package name', () => {
    writeFileSync(
      join(app, 'use.mjs'),
      `import { check, simulate, scenarios, InputError } from 'vnicspec';
import { search, formatSummary, randomSearch, checkLiveness } from 'vnicspec/explore';
import { vnicMachine, defaultCheckConfig } from 'vnicspec/spec';
import { PROPERTY_NAMES } from 'vnicspec/properties';
import schema from 'vnicspec/schemas/scenario.schema.json' with { type: 'json' };
const proof = await check({ arch: 'vnic' });
const run = await simulate({ scenario: 'flood', durationS: 0.2 });
let error = '';
try { await check({ vms: 9 }); } catch (e) { error = e instanceof InputError ? e.message : 'not an InputError'; }
const counter = { initial: () => [0], actions: (n) => (n < 3 ? ['inc'] : []), next: (n) => n + 1, key: String, label: String, vars: (n) => ({ n }) };
console.log(JSON.stringify({
  verdict: proof.verdict, states: proof.states, outcome: run.outcome, scenarios: scenarios().length, error,
  summary: formatSummary(search(counter, { strategy: 'bfs', properties: [] })).split('\\n')[1],
  random: randomSearch(counter, { seed: 1, depth: 5, swarm: false, first: 0, end: 10, properties: [{ name: 'lt2', description: '', kind: 'always', check: (n) => (n < 2 ? undefined : 'n = ' + n) }] }).trace.actions.length,
  liveness: checkLiveness(counter, []).verdict,
  machine: vnicMachine.id, vms: defaultCheckConfig().vms, properties: PROPERTY_NAMES.length, schema: schema.title,
}));
`,
    );
    expect(JSON.parse(ok(sh(app, 'node', ['use.mjs'])))).toEqual({
      verdict: 'holds',
      states: 5127,
      outcome: 'ok',
      scenarios: 5,
      error: 'vms: must be an integer from 1 to 4 (got 9)',
      summary: '4 distinct states found, 3 transitions, depth 3.',
      random: 2,
      liveness: 'holds',
      machine: 'vnic',
      vms: 2,
      properties: 10,
      schema: 'vnicspec scenario',
    });
  });

  test('the examples run against the installed package', () => {
    expect(ok(sh(app, 'node', ['examples/two-phase-commit.js']))).toContain('288 distinct states found');
    expect(ok(sh(app, 'node', ['examples/custom-property.js']))).toContain('vnic: holds, 5,127 states');
    expect(ok(sh(app, 'node', ['examples/custom-scenario.js']))).toMatch(/vnic {5}web: .* 0\.0% lost/);
  });

  test('a TypeScript consumer type-checks against the shipped declarations (no skipLibCheck)', () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { check, simulate, type CheckReport, type ScenarioFile, type SimulationReport } from 'vnicspec';
import { checkLiveness, randomSearch, search, type LivenessProperty, type Model, type RandomResult, type SearchResult } from 'vnicspec/explore';
import { buildCheckedSystem, CheckedModel, defaultCheckConfig, type VnicContext } from 'vnicspec/spec';
import { propertiesFor, type CheckedProperty } from 'vnicspec/properties';
const model: Model<number, 'inc'> = { initial: () => [0], actions: (n) => (n < 3 ? ['inc'] : []), next: (n) => n + 1, key: String, label: (a) => a, vars: (n) => ({ n }) };
const r: SearchResult<number, 'inc'> = search(model, { strategy: 'bfs', properties: [] });
const walks: RandomResult<number, 'inc'> = randomSearch(model, { seed: 1, depth: 5, swarm: false, first: 0, end: 10, properties: [] });
const pending: LivenessProperty<number> = { name: 'p', description: '', kind: 'leads-to', obligations: ['n'], levels: (n) => [n], violation: () => 'stuck' };
checkLiveness(model, [pending]);
const p: CheckedProperty = { name: 'mine', description: '', kind: 'always', state: (sys) => (s) => (sys.vnics.every((i) => (s.machines[i]!.context as VnicContext).used >= 0) ? undefined : 'negative') };
const scenario: ScenarioFile = { name: 'x', vms: [{ name: 'a' }] };
const reports: Promise<[CheckReport, SimulationReport]> = Promise.all([check({ properties: ['isolation', p] }), simulate({ scenario })]);
const sys = buildCheckedSystem(defaultCheckConfig());
const bound = propertiesFor(sys, ['isolation']);
search(new CheckedModel(sys, { stepChecks: bound.stepChecks }), { strategy: 'dfs', properties: bound.properties, maxStates: 10 });
export { r, reports, walks };
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] },
        files: ['consumer.ts'],
      }),
    );
    ok(sh(app, join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json']));
  });
});

/** `vnicspec scenarios`: the built-in scenarios, with what they are and what they run by default. */
import { Command } from 'commander';
import { BUILT_IN_SCENARIOS, loadScenario, type Scenario, type StreamSpec } from '../../../spec/scenario.js';
import { seconds } from '../format/numbers.js';
import { renderTable } from '../format/table.js';
import { EXIT, action, epilogue, type CliCommand, type CliContext } from './command.js';

export interface ScenarioSummary {
  name: string;
  description: string;
  arch: Scenario['arch'];
  cores: Scenario['cores'];
  vms: number;
  streams: string;
  durationS: number;
  /** Not counted: statistics cover [warmupS, durationS]. */
  warmupS: number;
  seed: number;
}

const describeStream = (s: StreamSpec): string => {
  const how = s.kind !== 'closed-loop' && s.arrivals === 'poisson' ? ' poisson' : '';
  switch (s.kind) {
    case 'open-loop':
      return `open-loop${how} ${s.rate} req/s`;
    case 'closed-loop':
      return s.thinkMs > 0 ? `closed-loop (think ${s.thinkMs} ms)` : 'closed-loop';
    case 'flood':
      return `flood${how} ${s.rate === undefined ? 'at line rate' : `${s.rate} pkt/s`}`;
  }
};

/** Identical streams grouped: '2 x open-loop 1500 req/s', '8 x closed-loop', '1 x flood at line rate'. */
export function streamSummary(streams: readonly StreamSpec[]): string {
  if (streams.length === 0) return 'none';
  const counts = new Map<string, number>();
  for (const s of streams) {
    const d = describeStream(s);
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  return [...counts].map(([d, n]) => `${n} x ${d}`).join(', ');
}

export function summarise(s: Scenario): ScenarioSummary {
  return {
    name: s.name,
    description: s.description,
    arch: s.arch,
    cores: s.cores,
    vms: s.vms.length,
    streams: streamSummary(s.streams),
    durationS: s.durationS,
    warmupS: s.warmupS,
    seed: s.seed,
  };
}

interface ScenariosOptions {
  json?: boolean;
}

export const scenariosCommand: CliCommand = (ctx, done) =>
  new Command('scenarios')
    .summary('list the built-in scenarios')
    .description(
      "List the built-in scenarios: description, default architecture and core layout, VMs, traffic streams and " +
        "simulated duration. Use one with 'vnicspec simulate --scenario NAME', or copy spec/scenarios/NAME.json " +
        'as a starting point for your own file.',
    )
    .option('--json', 'print one JSON object { "scenarios": [...] } on stdout; each entry has name, description, arch, cores, vms (count), streams (summary), durationS, warmupS, seed')
    .addHelpText(
      'after',
      epilogue([
        ['vnicspec scenarios', 'the table'],
        ['vnicspec scenarios --json', 'the same, machine-readable'],
      ]),
    )
    .action(action(done, (cmd) => listScenarios(ctx, cmd.opts<ScenariosOptions>())));

function listScenarios(ctx: CliContext, o: ScenariosOptions): number {
  const summaries = BUILT_IN_SCENARIOS.map((name) => {
    const s = loadScenario(name);
    // A built-in that does not load is a packaging bug, not bad input.
    if (!s.ok) throw new Error(`built-in scenario '${name}' does not load: ${s.error}`);
    return summarise(s.value.scenario);
  });
  if (o.json) {
    ctx.io.out(JSON.stringify({ scenarios: summaries }, null, 2) + '\n');
    return EXIT.ok;
  }
  const table = renderTable({
    columns: [
      { header: 'name' },
      { header: 'arch' },
      { header: 'cores' },
      { header: 'VMs', align: 'right' },
      { header: 'duration', align: 'right' },
      { header: 'streams' },
    ],
    rows: summaries.map((s) => [s.name, s.arch, s.cores, String(s.vms), seconds(s.durationS) + (s.warmupS > 0 ? ` (${seconds(s.warmupS)} warm-up)` : ''), s.streams]),
  });
  const lines = ['Built-in scenarios (run one with: vnicspec simulate --scenario NAME):', '', ...table, ''];
  for (const s of summaries) lines.push(`${s.name}: ${s.description}`);
  ctx.io.out(lines.join('\n') + '\n');
  return EXIT.ok;
}

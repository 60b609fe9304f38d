/** `vnicspec scenarios`: the built-in scenarios, with what they are and what they run by default. */
import { Command } from 'commander';
import { scenarios } from '../../../api/scenarios.js';
import { seconds } from '../../format/numbers.js';
import { renderTable } from '../../format/table.js';
import { EXIT, action, epilogue, type CliCommand, type CliContext } from '../command.js';

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
      ],
      {
        0: 'the scenarios are listed',
        2: 'bad input: an unknown option',
      }),
    )
    .action(action(done, (cmd) => listScenarios(ctx, cmd.opts<ScenariosOptions>())));

function listScenarios(ctx: CliContext, o: ScenariosOptions): number {
  const summaries = scenarios();
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

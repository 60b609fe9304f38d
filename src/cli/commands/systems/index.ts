/** `vnicspec systems`: the built-in system files, with what each describes, for `check --system NAME`. */
import { Command } from 'commander';
import { BUILT_IN_SYSTEMS, loadSystem, type SystemFile } from '../../../../spec/system-file.js';
import { renderTable } from '../../format/table.js';
import { EXIT, action, epilogue, type CliCommand, type CliContext } from '../command.js';

interface SystemsOptions {
  json?: boolean;
}

/** One built-in system at a glance (`vnicspec systems --json`). */
export interface SystemSummary {
  readonly name: string;
  readonly description: string;
  readonly arch: SystemFile['arch'];
  readonly vms: number;
  /** Per VM, `name: traffic` plus `, hostile driver` and `, detached at boot` where they apply. */
  readonly traffic: string;
  readonly sizes: readonly number[];
  readonly dmaArbiter: SystemFile['nic']['dmaArbiter'];
  readonly churn: boolean;
  readonly unknownTraffic: boolean;
}

export function summariseSystem(s: SystemFile): SystemSummary {
  const traffic = s.vms
    .map((v, i) => `${v.name ?? `vm${i}`}: ${v.traffic}${v.driver === 'hostile' ? ', hostile driver' : ''}${v.attached ? '' : ', detached at boot'}`)
    .join('; ');
  return {
    name: s.name,
    description: s.description,
    arch: s.arch,
    vms: s.vms.length,
    traffic,
    sizes: s.sizes,
    dmaArbiter: s.nic.dmaArbiter,
    churn: s.churn.enabled,
    unknownTraffic: s.unknownTraffic,
  };
}

/** The built-in systems, in the order `BUILT_IN_SYSTEMS` names them. */
export function builtInSystems(): SystemSummary[] {
  return BUILT_IN_SYSTEMS.map((name) => {
    const r = loadSystem(name);
    if (!r.ok) throw new Error(`built-in system ${name}: ${r.error}`);
    return summariseSystem(r.value);
  });
}

export const systemsCommand: CliCommand = (ctx, done) =>
  new Command('systems')
    .summary('list the built-in system files')
    .description(
      "List the built-in system files: what each describes, its architecture, VMs with their traffic and drivers, " +
        "packet sizes, DMA arbiter, churn. Check one with 'vnicspec check --system NAME', simulate it with " +
        "'vnicspec simulate --system NAME', or copy spec/systems/NAME.json as a starting point (docs/formats/system.md).",
    )
    .option('--json', 'print one JSON object { "systems": [...] } on stdout; each entry has name, description, arch, vms (count), traffic, sizes, dmaArbiter, churn, unknownTraffic')
    .addHelpText(
      'after',
      epilogue(
        [
          ['vnicspec systems', 'the table'],
          ['vnicspec check --system adversarial', 'check one of them'],
        ],
        {
          0: 'the systems are listed',
          2: 'bad input: an unknown option',
        },
      ),
    )
    .action(action(done, (cmd) => listSystems(ctx, cmd.opts<SystemsOptions>())));

function listSystems(ctx: CliContext, o: SystemsOptions): number {
  const summaries = builtInSystems();
  if (o.json) {
    ctx.io.out(JSON.stringify({ systems: summaries }, null, 2) + '\n');
    return EXIT.ok;
  }
  const table = renderTable({
    columns: [{ header: 'name' }, { header: 'arch' }, { header: 'sizes' }, { header: 'dma' }, { header: 'churn' }, { header: 'VMs (traffic)' }],
    rows: summaries.map((s) => [s.name, s.arch, s.sizes.join(','), s.dmaArbiter, s.churn ? 'on' : 'off', s.traffic]),
  });
  const lines = ['Built-in systems (check one with: vnicspec check --system NAME):', '', ...table, ''];
  for (const s of summaries) lines.push(`${s.name}: ${s.description}`);
  ctx.io.out(lines.join('\n') + '\n');
  return EXIT.ok;
}

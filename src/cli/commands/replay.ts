/** `vnicspec replay FILE`: re-execute an ITF counterexample written by `vnicspec check --trace-out X.itf.json`. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { defaultCheckConfig } from '../../../spec/checked/config.js';
import { ModelError } from '../../explore/index.js';
import { ACTION_VAR, ItfError, parseItf, replayTrace, type ParsedItf } from '../../trace/index.js';
import { describeConfig, describeProperties, setUp } from '../check-run.js';
import { readVnicspecMeta } from '../check-trace.js';
import { stripBom } from '../../util/json-text.js';
import { printable } from '../format/safe-text.js';
import { EXIT, UsageError, action, epilogue, type CliCommand, type CliContext } from './command.js';

export const replayCommand: CliCommand = (ctx, done) =>
  new Command('replay')
    .summary('re-execute a counterexample saved by check --trace-out X.itf.json and re-check the properties')
    .description(
      'Read an ITF trace written by `vnicspec check --trace-out FILE.itf.json`, rebuild the configuration recorded in ' +
        'it, and re-execute it step by step: every recorded action must be enabled where it is taken and must reach ' +
        'exactly the recorded state. Then check the recorded properties on every state of the trace. ' +
        'Exit 1 if the trace is legal and a property is violated on it, 0 if it is legal and none is, ' +
        '2 if the file is not such a trace or a step cannot be replayed (the step is named).',
    )
    .argument('<file>', 'an ITF trace (.itf.json) written by vnicspec check --trace-out')
    .addHelpText(
      'after',
      epilogue([
        ['vnicspec check --arch xen-idd --trace-out cex.itf.json; vnicspec replay cex.itf.json', 'record a counterexample, then re-execute it (exit 1: it still violates)'],
      ]),
    )
    .action(action(done, (cmd) => replay(ctx, cmd.processedArgs[0] as string)));

function load(file: string): ParsedItf {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read '${file}': ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return parseItf(stripBom(text));
  } catch (e) {
    // JSON.parse's message may quote the input, newlines included: keep the diagnostic on one line.
    if (e instanceof ItfError) throw new UsageError(`${file}: ${e.message.replace(/\s*\n\s*/g, ' ')}`);
    throw e;
  }
}

function replay(ctx: CliContext, file: string): number {
  const { io } = ctx;
  const itf = load(file);
  const meta = readVnicspecMeta(itf.meta);
  if (!meta.ok) throw new UsageError(`${file}: ${meta.error}`);
  if (!itf.vars.includes(ACTION_VAR)) throw new UsageError(`${file}: the trace has no '${ACTION_VAR}' variable, so its steps are not labelled`);
  if (itf.states.length === 0) throw new UsageError(`${file}: the trace has no states`);

  const config = defaultCheckConfig(meta.value.config);
  let setup: ReturnType<typeof setUp>;
  try {
    setup = setUp(config, meta.value.properties ?? []);
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    io.out(`SPECIFICATION ERROR while booting the recorded configuration: ${e.message}\n`);
    return EXIT.violated;
  }
  const r = replayTrace(setup.view, itf.trace);
  if (r.kind === 'illegal') throw new UsageError(`${file}: ${r.message}`);

  const steps = r.actions.length;
  const lines: string[] = [];
  const status = typeof itf.meta['status'] === 'string' ? itf.meta['status'] : '';
  const described = typeof itf.meta['description'] === 'string' ? ` (${printable(status)}: ${printable(itf.meta['description'])})` : '';
  lines.push(`vnicspec replay ${printable(file)}${described}`);
  lines.push(`  configuration: ${describeConfig(config)}`);
  lines.push(`  properties:    ${describeProperties(setup)}`);
  lines.push('');
  lines.push(`Replayed ${steps} step${steps === 1 ? '' : 's'}: each recorded action was enabled and reached the recorded state.`);
  const width = String(steps).length;
  r.actions.forEach((a, i) => lines.push(`  ${String(i + 1).padStart(width)}: ${setup.model.label(a)}`));
  lines.push('');

  // Every state is checked, the last one included: a step property is raised on the state right after the step.
  let violation: { step: number; property: string; message: string } | undefined;
  const witnessed = new Map<string, number>();
  r.states.forEach((s, step) => {
    for (const p of setup.properties) {
      const why = p.check(s);
      if (p.kind === 'always' && why !== undefined && violation === undefined) violation = { step, property: p.name, message: why };
      if (p.kind === 'sometimes' && why === undefined && !witnessed.has(p.name)) witnessed.set(p.name, step);
    }
  });
  const claimed = meta.value.property;
  if (violation !== undefined) {
    const at = violation.step === steps ? `at its end (step ${steps})` : `at step ${violation.step}`;
    lines.push(`Property '${violation.property}' violated ${at}: ${violation.message}`);
    if (claimed !== undefined && claimed !== violation.property) lines.push(`(the file records a violation of '${claimed}')`);
  } else {
    lines.push(`No property is violated along the trace (${r.states.length} states checked).`);
    if (claimed !== undefined) lines.push(`(the file records a violation of '${claimed}', which this replay does not reproduce)`);
  }
  if (witnessed.size > 0) lines.push(`Sometimes-properties witnessed: ${[...witnessed].map(([n, s]) => `${n} (step ${s})`).join(', ')}.`);
  io.out(lines.join('\n') + '\n');
  return violation !== undefined ? EXIT.violated : EXIT.ok;
}

/** `vnicspec replay FILE`: re-execute an ITF counterexample written by `vnicspec check --trace-out X.itf.json`. */
import { Command } from 'commander';
import { describeConfig, describeProperties } from '../../../api/check-setup.js';
import { runReplay, type LassoVerdict, type ReplayReport } from '../../../api/replay.js';
import { printable } from '../../../api/safe-text.js';
import { EXIT, action, epilogue, type CliCommand, type CliContext } from '../command.js';

interface ReplayOptions {
  json?: boolean;
}

export const replayCommand: CliCommand = (ctx, done) =>
  new Command('replay')
    .summary('re-execute a counterexample saved by check --trace-out X.itf.json and re-check the properties')
    .description(
      'Read an ITF trace written by `vnicspec check --trace-out FILE.itf.json`, rebuild the configuration recorded in ' +
        'it, and re-execute it step by step: every recorded action must be enabled where it is taken and must reach ' +
        'exactly the recorded state. Then check the recorded properties on every state of the trace. ' +
        'A lasso (a liveness counterexample, ITF\'s "loop") must return to the state where its cycle starts; its cycle is ' +
        'then judged: is it fair, and does a liveness property\'s obligation stay outstanding on it? ' +
        'Exit 1 if the trace is legal and a property is violated on it, 0 if it is legal and none is, ' +
        '2 if the file is not such a trace or a step cannot be replayed (the step is named).',
    )
    .argument('<file>', 'an ITF trace (.itf.json) written by vnicspec check --trace-out')
    .option('--json', 'print one JSON object on stdout and nothing else: verdict, steps, actions, violation, witnessed, configuration')
    .addHelpText(
      'after',
      epilogue([
        ['vnicspec check --arch xen-idd --trace-out cex.itf.json; vnicspec replay cex.itf.json', 'record a counterexample, then re-execute it (exit 1: it still violates)'],
      ],
      {
        0: 'the trace replays step by step and no property is violated on it',
        1: 'the trace replays and a property is violated on it, or the recorded configuration fails to boot',
        2: 'bad input: not an ITF trace written by check --trace-out, an unreadable file, or a step that cannot be replayed (the step is named)',
      }),
    )
    .action(action(done, (cmd) => replay(ctx, cmd.processedArgs[0] as string, cmd.opts<ReplayOptions>())));

function replay(ctx: CliContext, file: string, o: ReplayOptions): number {
  const { io } = ctx;
  const { report: r, setup } = runReplay({ file });
  const code = r.verdict === 'holds' ? EXIT.ok : EXIT.violated;
  if (o.json) {
    io.out(JSON.stringify(r, null, 2) + '\n');
    if (r.verdict === 'error') io.err(`vnicspec: SPECIFICATION ERROR: ${r.message}\n`);
    else if (r.violation !== null) io.err(`vnicspec: property '${r.violation.property}' violated at step ${r.violation.step}: ${r.violation.message}\n`);
    return code;
  }
  if (r.verdict === 'error' || setup === undefined) {
    io.out(`SPECIFICATION ERROR: ${r.message}\n`);
    return code;
  }
  io.out(humanReport(r, describeProperties(setup), setup.liveness.map((p) => p.name).join(', ')));
  return code;
}

function humanReport(r: ReplayReport, properties: string, liveness: string): string {
  const lines: string[] = [];
  lines.push(`vnicspec replay ${printable(r.file ?? 'trace')}${r.recorded !== null ? ` (${printable(r.recorded)})` : ''}`);
  lines.push(`  configuration: ${describeConfig(r.config)}`);
  lines.push(`  properties:    ${properties}`);
  lines.push('');
  lines.push(`Replayed ${r.steps} step${r.steps === 1 ? '' : 's'}: each recorded action was enabled and reached the recorded state.`);
  if (r.loop !== null) lines.push(`A lasso: step ${r.steps} returns to the state of step ${r.loop}, so steps ${r.loop + 1}..${r.steps} repeat forever.`);
  const width = String(r.steps).length;
  r.actions.forEach((a, i) => lines.push(`  ${String(i + 1).padStart(width)}: ${a}${r.loop === i ? '   <- the cycle starts' : ''}`));
  lines.push('');
  const claimed = r.recordedProperty;
  if (r.violation !== null) {
    const v = r.violation;
    const at = v.step === r.steps ? `at its end (step ${r.steps})` : `at step ${v.step}`;
    lines.push(`Property '${v.property}' violated ${at}: ${v.message}`);
    if (claimed !== null && claimed !== v.property) lines.push(`(the file records a violation of '${claimed}')`);
  } else {
    lines.push(`No ${r.loop !== null ? 'safety ' : ''}property is violated along the trace (${r.steps + 1} states checked).`);
  }
  if (r.lasso !== null) lines.push(lassoLine(r.lasso, liveness));
  if (r.verdict !== 'violated' && claimed !== null) lines.push(`(the file records a violation of '${claimed}', which this replay does not reproduce)`);
  else if (r.violation === null && r.lasso?.verdict === 'violated' && claimed !== null && claimed !== r.lasso.property) lines.push(`(the file records a violation of '${claimed}')`);
  const witnessed = Object.entries(r.witnessed);
  if (witnessed.length > 0) lines.push(`Sometimes-properties witnessed: ${witnessed.map(([n, s]) => `${n} (step ${s})`).join(', ')}.`);
  return lines.join('\n') + '\n';
}

function lassoLine(l: LassoVerdict, liveness: string): string {
  switch (l.verdict) {
    case 'violated':
      return `Liveness property '${l.property}' violated on the lasso (${l.obligation}): ${l.message}. The cycle is fair: every pending delivery enabled throughout it is taken on it.`;
    case 'unfair':
      return `The cycle is not fair (${l.message}), so no fair behaviour repeats it: it shows no liveness violation.`;
    case 'satisfied':
      return liveness === ''
        ? 'The cycle is fair; the file records no liveness property to judge it by.'
        : `The cycle is fair, and no liveness property (${liveness}) is violated on it: every obligation is zero or falls somewhere on the cycle.`;
  }
}

/**
 * The README's option reference, written from the command definitions themselves (commander's options, their help
 * text and defaults, and each command's exit codes from its --help), so the README lists every option of every
 * command and cannot fall behind. `npm run docs` rewrites the block between the markers below;
 * test/readme.test.ts fails when it is out of date.
 */
import type { Command, Option } from 'commander';
import { describeProgram, main } from '../src/cli/main.js';

export const BEGIN = '<!-- options: generated from the command definitions by `npm run docs`; edit src/cli/commands/, not this section -->';
export const END = '<!-- end of generated options -->';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** The subcommands, in help order (not `help`). */
export function commands(): Command[] {
  return describeProgram().commands.filter((c) => c.name() !== 'help');
}

/** `--arch <arch>`, `-h, --help`. */
const flagsOf = (o: Option): string => o.flags;

/**
 * Defaults that depend on the machine — its cores, its memory — said without this machine's numbers, so the README
 * is the same wherever it is generated: `the available cores, 2 here` → `the available cores`.
 */
export function machineIndependent(text: string): string {
  return text
    .replace(/, \d+ here\b/g, '')
    .replace(/\bthe \d+ cores of this machine/g, 'the cores of this machine')
    .replace(/, [\d.]+ [KMGT]iB\b/g, '');
}

function describeOption(o: Option): string {
  const notes: string[] = [];
  if (o.mandatory && !/\(required\)$/.test(o.description)) notes.push('required');
  else if (!o.negate && o.defaultValueDescription !== undefined) notes.push(`default: ${machineIndependent(o.defaultValueDescription)}`);
  else if (!o.negate && o.defaultValue !== undefined) notes.push(`default: ${typeof o.defaultValue === 'string' ? o.defaultValue : JSON.stringify(o.defaultValue)}`);
  return machineIndependent(notes.length > 0 ? `${o.description} (${notes.join('; ')})` : o.description);
}

/** `npx vnicspec replay <file> [options]` */
function usageOf(c: Command): string {
  const args = c.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}${a.variadic ? '...' : ''}]`));
  return ['npx vnicspec', c.name(), ...args, ...(c.options.length > 0 ? ['[options]'] : [])].join(' ');
}

/** The exit codes a command's --help lists: `[['0', 'meaning'], …]`. */
export async function exitCodesOf(name: string): Promise<[string, string][]> {
  let out = '';
  await main([name, '--help'], { out: (s) => void (out += s), err: () => undefined, columns: 1000 });
  const section = out.slice(out.indexOf('Exit codes:'));
  const codes: [string, string][] = [];
  for (const line of section.split('\n').slice(1)) {
    const code = /^ {2}(\d+)\s+(.*)$/.exec(line);
    if (code !== null) codes.push([code[1]!, code[2]!.trim()]);
    else if (/^ {6}\S/.test(line) && codes.length > 0) codes[codes.length - 1]![1] += ` ${line.trim()}`;
    else if (line.trim() !== '') break;
  }
  return codes;
}

/** The generated block, markers included. */
export async function optionReference(): Promise<string> {
  const lines = [BEGIN];
  for (const c of commands()) {
    lines.push('', `#### \`${usageOf(c)}\``, '', cell(c.summary()), '');
    const options = c.options.filter((o) => !o.hidden);
    if (options.length > 0) {
      lines.push('| option | what it does |', '|---|---|');
      for (const o of options) lines.push(`| \`${cell(flagsOf(o))}\` | ${cell(describeOption(o))} |`);
      lines.push('');
    }
    const codes = await exitCodesOf(c.name());
    lines.push(`Exit codes: ${codes.map(([code, meaning]) => `**${code}** ${meaning}`).join('; ')}.`);
  }
  lines.push('', END);
  return lines.join('\n');
}

/** `readme` with its generated block replaced; throws when the README has no markers. */
export async function withOptionReference(readme: string): Promise<string> {
  // The opening marker is found by its start, so that its wording may change.
  const from = readme.indexOf(BEGIN.slice(0, BEGIN.indexOf(':') + 1));
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md has no ${BEGIN} … ${END} block`);
  return readme.slice(0, from) + (await optionReference()) + readme.slice(to + END.length);
}

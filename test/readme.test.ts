/**
 * The README works as written: its first screen gives the two commands a new user runs; its option reference is
 * what the commands define today (scripts/readme.ts, `npm run docs`); and every `npx vnicspec …` command it shows
 * names a real command and only options that command has.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { commands, withOptionReference } from '../scripts/readme.js';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

/** Every `npx vnicspec …` command line in the README: in inline code, and on lines of code blocks. */
function commandLines(text: string): string[] {
  const found: string[] = [];
  let inBlock = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) {
      inBlock = !inBlock;
      continue;
    }
    if (inBlock) {
      const at = line.indexOf('npx vnicspec ');
      if (at >= 0) found.push(line.slice(at).replace(/\s+#.*$/, '').replace(/\\$/, ''));
    } else {
      for (const m of line.matchAll(/`(npx vnicspec [^`]*)`/g)) found.push(m[1]!);
    }
  }
  return found;
}

describe('README.md', () => {
  test('the first screen: what vnicspec is, npm ci && npm start, npm test and how long it takes', () => {
    const first = readme.split('\n').slice(0, 30).join('\n');
    expect(first).toMatch(/^# vnicspec\n/);
    expect(first).toContain('npm ci && npm start');
    expect(first).toMatch(/npm test\s+# .*\d+ min/);
  });

  test('the option reference lists every option of every command, as they are defined (else: npm run docs)', async () => {
    expect(readme).toBe(await withOptionReference(readme));
  });

  test('every npx vnicspec command it shows uses a real command and only its options', () => {
    const byName = new Map(commands().map((c) => [c.name(), new Set(c.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)))]));
    const lines = commandLines(readme);
    expect(lines.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const line of lines) {
      // One command per segment: `a && b`, `a; b`, `a | b`, `a > file`.
      for (const segment of line.split(/&&|;|\||>/)) {
        const words = segment.trim().split(/\s+/);
        if (words[0] !== 'npx' || words[1] !== 'vnicspec') continue;
        const name = words[2];
        // `npx vnicspec --help`, `npx vnicspec COMMAND`: no command named.
        if (name === undefined || !/^[a-z]/.test(name)) continue;
        const options = byName.get(name);
        if (options === undefined) {
          problems.push(`${line}: no command '${name}'`);
          continue;
        }
        for (const w of words.slice(3)) {
          const flag = w.replace(/=.*$/, '').replace(/[`,.)]+$/, '');
          if (/^--?[a-z]/.test(flag) && !options.has(flag) && flag !== '--help' && flag !== '-h') problems.push(`${line}: '${name}' has no option ${flag}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

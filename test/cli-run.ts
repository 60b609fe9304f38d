/** Runs the vnicspec command line in-process with captured output (shared by the CLI tests). */
import { main, type CliIo } from '../src/cli/main.js';

export interface Run {
  code: number;
  out: string;
  err: string;
}

export async function run(...argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (s) => void (out += s), err: (s) => void (err += s) };
  const code = await main(argv, io);
  return { code, out, err };
}

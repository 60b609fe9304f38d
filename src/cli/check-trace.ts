/**
 * Counterexample files on the command line: the format a `--trace-out` file's name asks for, and writing it so that
 * a failed write loses neither the verdict nor the trace. What the files say is src/api/trace-files.ts's.
 */
import { writeFileSync } from 'node:fs';
import type { CliIo } from './commands/command.js';
import { printable as safeName } from '../api/safe-text.js';
import type { CheckedSetup } from '../api/check-setup.js';
import { itfText, mermaidText, textTraceFile, type CheckTrace, type TraceVerdict } from '../api/trace-files.js';

export const TRACE_FORMATS = [
  { ext: '.itf.json', what: 'ITF, the Apalache/Quint trace format, for vnicspec replay' },
  { ext: '.mmd', what: 'Mermaid sequence diagram' },
  { ext: '.txt', what: 'text trace' },
] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number]['ext'];

export function traceFormatOf(file: string): TraceFormat | undefined {
  const lower = file.toLowerCase();
  return TRACE_FORMATS.find((f) => lower.endsWith(f.ext) && lower.length > f.ext.length)?.ext;
}

/** A trace file's text in `format`; an ITF file records the configuration, the checked properties and the violated one. */
export function traceFileText(format: TraceFormat, setup: CheckedSetup, trace: CheckTrace, verdict: TraceVerdict, property: string | undefined): string {
  if (format === '.mmd') return mermaidText(setup, trace, verdict);
  if (format === '.txt') return textTraceFile(setup, trace, verdict);
  return itfText(setup, trace, verdict, { config: setup.config, properties: setup.names, ...(property !== undefined ? { property } : {}) });
}

/** A failed file operation in words a user reads: `no such directory (ENOENT)`, else the system's message. */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const what: Record<string, string> = {
    ENOENT: 'no such directory',
    EISDIR: 'it is a directory',
    EACCES: 'permission denied',
    EROFS: 'read-only file system',
    ENOTDIR: 'a parent is not a directory',
    EPERM: 'not permitted',
    ENOSPC: 'no space left on the device',
  };
  return code !== undefined && what[code] !== undefined ? `${what[code]} (${code})` : e instanceof Error ? e.message : String(e);
}

/**
 * Writes a trace file; when that fails (the disk filled up, the directory went away during a long search), the
 * verdict and its exit code stand and the trace is not lost: it goes to stdout instead (with --json it is there).
 */
export function saveTraceFile(io: Pick<CliIo, 'out' | 'err'>, file: string, text: string, what: string, json: boolean): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    io.err(`vnicspec: --trace-out: cannot write '${safeName(file)}' (${errnoText(e)}); ${json ? `the ${what} is in the JSON on stdout` : `the ${what} follows on stdout`}\n`);
    if (!json) io.out(`\n${text}`);
    return;
  }
  io.err(`vnicspec: wrote the ${what} to '${safeName(file)}'\n`);
}

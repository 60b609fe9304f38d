/**
 * What `vnicspec merge` can join: one merger per document kind, chosen by the `kind` field of the input files.
 * Adding a kind (random-check shards, say) is one entry in MERGERS.
 */
import type { CliContext } from '../command.js';
import { sweepMerger } from '../sweep/merge.js';
import { randomCheckMerger } from '../../check-random/merge.js';

export interface MergeInput {
  readonly file: string;
  readonly doc: Record<string, unknown>;
}

export interface MergeOptions {
  readonly out: string;
  readonly json?: boolean;
}

export interface Merger {
  /** The `kind` field of the files this merger joins. */
  readonly kind: string;
  /** One line for --help: what these files are and what merging writes. */
  readonly describe: string;
  /** Validates the inputs (UsageError on bad input), writes the joined output, returns the exit code. */
  merge(inputs: readonly MergeInput[], o: MergeOptions, ctx: CliContext): number | Promise<number>;
}

export const MERGERS: readonly Merger[] = [sweepMerger, randomCheckMerger];

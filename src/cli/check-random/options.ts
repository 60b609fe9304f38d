/**
 * The flags of `vnicspec check --random` and their checks: random search takes systems far beyond exhaustive reach,
 * so `--vms` and `--capacity` go higher than exhaustive search allows, and the flags of one mode are refused in the
 * other with a message saying which to use.
 */
import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import { UsageError } from '../commands/command.js';
import { invalid, parseIntIn, parseSeed } from '../commands/options.js';
import { MAX_WORKERS, RANDOM_LIMITS } from '../../api/check-setup.js';

/** TLC's default simulation depth is 100 and `quint run` takes 10,000 samples by default. */
export const RANDOM_DEFAULTS = { traces: 10_000, depth: 100, seed: 1, workers: 1 } as const;

/**
 * The default depth: 100 (TLC's), or twice the packet slots of all buffers (vms × capacity) when that is more — a
 * walk must be able to fill them: with 16 VMs × 16 slots the shared buffer alone takes 256 arrivals, and walks of
 * 100 steps never find its starvation.
 */
export const defaultDepth = (vms: number, capacity: number): number => Math.max(RANDOM_DEFAULTS.depth, 2 * vms * capacity);

/** `defaultDepth` of a system: its buffers take Σ ⌈capacity / smallest packet⌉ packets. */
export const defaultDepthOf = (c: { readonly capacities: readonly number[]; readonly sizes: readonly number[] }): number =>
  defaultDepth(1, c.capacities.reduce((a, cap) => a + Math.ceil(cap / c.sizes[0]!), 0));
export const MAX_DEPTH = 10_000_000;

export interface Shard {
  /** 1-based, as `--shard I/N` and as batch systems number their jobs from 1 (a Kubernetes index is 0-based: add 1). */
  readonly index: number;
  readonly count: number;
}

export interface RandomFlags {
  random?: boolean;
  traces?: number;
  depth?: number;
  seed?: number;
  workers?: number;
  swarm?: boolean;
  shard?: Shard;
  walk?: number;
}

export function parseShard(value: string): Shard {
  const m = /^\s*([0-9]+)\s*\/\s*([0-9]+)\s*$/.exec(value);
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw invalid('--shard', 'must be I/N with 1 <= I <= N (e.g. 3/8: the third of eight shards)', value);
  }
  return { index, count };
}

const positive = (flag: string, hi = Number.MAX_SAFE_INTEGER): ((value: string) => number) => parseIntIn(flag, 1, hi);

/** Adds the random-mode flags to `check`. */
export function addRandomOptions(cmd: Command): Command {
  return cmd
    .option('--random', 'random search instead of exhaustive: many random walks, for systems beyond exhaustive reach (finds violations, proves nothing)')
    .addOption(new Option('--traces <n>', `with --random: walks to take (default ${RANDOM_DEFAULTS.traces})`).argParser(positive('--traces')))
    .addOption(
      new Option('--depth <n>', `with --random: steps per walk at most (default ${RANDOM_DEFAULTS.depth}, or 2 × vms × capacity when more, so that a walk can fill every buffer)`).argParser(
        positive('--depth', MAX_DEPTH),
      ),
    )
    .addOption(new Option('--seed <n>', `with --random: random seed, a non-negative integer; same seed, same walks (default ${RANDOM_DEFAULTS.seed})`).argParser(parseSeed('--seed')))
    .addOption(
      new Option(
        '--workers <n>',
        `threads: exhaustive breadth-first search (default: the ${availableParallelism()} cores of this machine) and --random (default ${RANDOM_DEFAULTS.workers}); results do not depend on it`,
      ).argParser(
        positive('--workers', MAX_WORKERS),
      ),
    )
    .option('--swarm', 'with --random: swarm search: each walk takes only a random half of the kinds of actions (arrivals per VM, ticks, each machine step), as SPIN\'s swarm does')
    .addOption(new Option('--shard <i/n>', 'with --random: take only the i-th of n equal slices of the walks (a batch job per shard; vnicspec merge joins their --json reports)').argParser(parseShard))
    .addOption(new Option('--walk <k>', 'with --random: take only walk number k (to reproduce a reported walk quickly)').argParser(parseIntIn('--walk', 0, Number.MAX_SAFE_INTEGER)));
}

/** Flags that mean something only in one mode, by commander's attribute name and as spelled on the command line. */
const RANDOM_ONLY = [
  ['traces', '--traces'],
  ['depth', '--depth'],
  ['seed', '--seed'],
  ['swarm', '--swarm'],
  ['shard', '--shard'],
  ['walk', '--walk'],
] as const;
const EXHAUSTIVE_ONLY = [
  ['strategy', '--strategy', 'random walks have no search order'],
  ['maxStates', '--max-states', 'random search keeps no states; bound it with --traces or --timeout'],
  ['maxDepth', '--max-depth', 'with --random, --depth bounds each walk'],
  ['symmetry', '--symmetry', 'random walks do not merge states'],
  ['fingerprint', '--fingerprint', 'random walks store no states'],
] as const;

/**
 * Refuses flags of the other mode and sizes exhaustive search cannot take. `given(name)`: whether the flag was on the
 * command line (not a default).
 */
export function checkModeFlags(random: boolean, given: (name: string) => boolean, vms: number, capacity: number, exhaustive: { vms: number; capacity: number }): void {
  if (random) {
    for (const [name, flag, why] of EXHAUSTIVE_ONLY) if (given(name)) throw new UsageError(`${flag} applies to exhaustive search, not to --random (${why})`);
    if (given('walk') && given('shard')) throw new UsageError('--walk and --shard exclude each other (--walk takes one walk)');
    return;
  }
  for (const [name, flag] of RANDOM_ONLY) if (given(name)) throw new UsageError(`${flag} applies to random search: add --random`);
  const big = vms > exhaustive.vms ? `--vms ${vms}` : capacity > exhaustive.capacity ? `--capacity ${capacity}` : undefined;
  if (big !== undefined) {
    throw new UsageError(
      `${big} is beyond exhaustive search (at most ${exhaustive.vms} VMs and ${exhaustive.capacity} slots; 3 VMs × 3 slots already have 3.1 million states); ` +
        `add --random to search it at random (up to ${RANDOM_LIMITS.vms[1]} VMs × ${RANDOM_LIMITS.capacity[1]} slots)`,
    );
  }
}

/** Walks [first, end) of shard `s` of a run of `traces` walks: contiguous, equal to within one. */
export function shardRange(traces: number, s: Shard): { first: number; end: number } {
  const at = (i: number): number => Math.floor((i * traces) / s.count);
  // traces * index stays exact below 2^53 for any realistic count; guard the rest.
  if (!Number.isSafeInteger(traces * s.count)) throw new UsageError(`--shard ${s.index}/${s.count}: too many walks (${traces}) to split exactly`);
  return { first: at(s.index - 1), end: at(s.index) };
}

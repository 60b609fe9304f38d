/**
 * A model of your own, checked with vnicspec's explorer: two-phase commit as in TwoPhase.tla (Gray & Lamport, in the
 * TLA+ Examples), with a transaction manager (TM), three resource managers (RMs) and the set of messages sent.
 * TLC and Stateright both find 288 distinct reachable states for three RMs; so does this.
 *
 * Then the same model with a bug planted — the TM may commit before every RM has prepared — and the shortest
 * counterexample to consistency, printed as a text trace.
 *
 *   npm run build && node dist/examples/two-phase-commit.js
 */
import { formatSummary, formatTextTrace, printable, search, type Model, type Property } from 'vnicspec/explore';

type RmState = 'working' | 'prepared' | 'committed' | 'aborted';

interface State {
  readonly rm: readonly RmState[];
  readonly tm: 'init' | 'done';
  /** The RMs the TM knows to be prepared. */
  readonly tmPrepared: readonly boolean[];
  /** msgs ∋ [type |-> "Prepared", rm |-> r] */
  readonly preparedMsg: readonly boolean[];
  readonly commitMsg: boolean;
  readonly abortMsg: boolean;
}

type Action =
  | { readonly kind: 'TMCommit' | 'TMAbort' }
  | { readonly kind: 'TMRcvPrepared' | 'RMPrepare' | 'RMChooseToAbort' | 'RMRcvCommitMsg' | 'RMRcvAbortMsg'; readonly rm: number };

const set = <T>(xs: readonly T[], i: number, x: T): T[] => xs.map((y, j) => (j === i ? x : y));

function twoPhaseCommit(rms: number, bug: 'none' | 'eager-commit' = 'none'): Model<State, Action> {
  const all = Array.from({ length: rms }, (_, i) => i);
  return {
    initial: () => [
      { rm: all.map(() => 'working'), tm: 'init', tmPrepared: all.map(() => false), preparedMsg: all.map(() => false), commitMsg: false, abortMsg: false },
    ],
    // Enabled actions, in a fixed order: traces name an action by its index here.
    actions(s) {
      const out: Action[] = [];
      if (s.tm === 'init' && (bug === 'eager-commit' || s.tmPrepared.every(Boolean))) out.push({ kind: 'TMCommit' });
      if (s.tm === 'init') out.push({ kind: 'TMAbort' });
      for (const rm of all) {
        if (s.tm === 'init' && s.preparedMsg[rm]) out.push({ kind: 'TMRcvPrepared', rm });
        if (s.rm[rm] === 'working') out.push({ kind: 'RMPrepare', rm }, { kind: 'RMChooseToAbort', rm });
        if (s.commitMsg) out.push({ kind: 'RMRcvCommitMsg', rm });
        if (s.abortMsg) out.push({ kind: 'RMRcvAbortMsg', rm });
      }
      return out;
    },
    // A pure successor: never modify `s`.
    next(s, a) {
      switch (a.kind) {
        case 'TMCommit':
          return { ...s, tm: 'done', commitMsg: true };
        case 'TMAbort':
          return { ...s, tm: 'done', abortMsg: true };
        case 'TMRcvPrepared':
          return { ...s, tmPrepared: set(s.tmPrepared, a.rm, true) };
        case 'RMPrepare':
          return { ...s, rm: set(s.rm, a.rm, 'prepared'), preparedMsg: set(s.preparedMsg, a.rm, true) };
        case 'RMChooseToAbort':
        case 'RMRcvAbortMsg':
          return { ...s, rm: set(s.rm, a.rm, 'aborted') };
        case 'RMRcvCommitMsg':
          return { ...s, rm: set(s.rm, a.rm, 'committed') };
      }
    },
    // Equal keys mean equal states: the visited set stores only keys.
    key: (s) => [s.tm, s.commitMsg, s.abortMsg, ...s.rm, ...s.tmPrepared, ...s.preparedMsg].map(String).join(','),
    label: (a) => ('rm' in a ? `${a.kind}(rm${a.rm + 1})` : a.kind),
    // What traces show: named variables, in the TLA+ spec's terms.
    vars: (s) => ({
      rmState: Object.fromEntries(all.map((r) => [`rm${r + 1}`, s.rm[r]])),
      tmState: s.tm,
      tmPrepared: all.filter((r) => s.tmPrepared[r]).map((r) => `rm${r + 1}`),
      msgs: [
        ...all.filter((r) => s.preparedMsg[r]).map((r) => `Prepared(rm${r + 1})`),
        ...(s.commitMsg ? ['Commit'] : []),
        ...(s.abortMsg ? ['Abort'] : []),
      ],
    }),
  };
}

const properties: Property<State>[] = [
  {
    name: 'TCConsistent',
    description: 'no RM has committed while another has aborted',
    kind: 'always',
    check: (s) => (s.rm.includes('committed') && s.rm.includes('aborted') ? `rm${s.rm.indexOf('committed') + 1} committed, rm${s.rm.indexOf('aborted') + 1} aborted` : undefined),
  },
  {
    name: 'all-commit',
    description: 'every RM can commit (a reachability check)',
    kind: 'sometimes',
    check: (s) => (s.rm.every((r) => r === 'committed') ? undefined : 'not all committed'),
  },
];

const correct = search(twoPhaseCommit(3), { strategy: 'bfs', properties });
console.log('Two-phase commit, 3 resource managers:');
console.log(formatSummary(correct));

const buggy = twoPhaseCommit(3, 'eager-commit');
const found = search(buggy, { strategy: 'bfs', properties });
console.log('\nWith the TM allowed to commit before every RM has prepared:');
console.log(formatSummary(found));
if (found.trace !== undefined) console.log(formatTextTrace(printable(buggy, found.trace)));

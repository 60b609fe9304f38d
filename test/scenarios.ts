/**
 * The machine tests' layout: for each event type of a machine, one describe block of named scenarios (the
 * machines-*.test.ts files build them with exhaustive ts-pattern matches over the event union, so a new event type
 * without scenarios does not compile).
 */
import { describe, it } from 'vitest';

export interface Scenario {
  readonly name: string;
  readonly run: () => void;
  /** A known bug: expected to fail; SHOW_BUGS=1 runs it as an ordinary test to show how it fails. */
  readonly bug?: true;
}

const knownBug = process.env['SHOW_BUGS'] ? it : it.fails;

/** `describe(title)`, then per sample event a block `describe(sample.type)` with its scenarios. */
export function scenarioBlocks<E extends { readonly type: string }>(title: string, samples: readonly E[], scenarios: (e: E) => readonly Scenario[]): void {
  describe(title, () => {
    for (const sample of samples) {
      describe(sample.type, () => {
        for (const s of scenarios(sample)) (s.bug ? knownBug : it)(s.name, s.run);
      });
    }
  });
}

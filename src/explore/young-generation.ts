/**
 * An exhaustive search allocates many short-lived objects per transition (successor states, events, outputs). With
 * V8's default young generation they are scavenged very often; a 64 MiB semi-space cuts the checker's wall time
 * by ~1.75× here (vnic, 3 VMs × 2 slots: 15.4 s → 8.8 s; measured with and without the flag on this machine).
 * The flag can be set at run time, before the search allocates; call this from a program's entry, not a library.
 */
import { setFlagsFromString } from 'node:v8';

export function enlargeYoungGeneration(semiSpaceMiB = 64): void {
  setFlagsFromString(`--max-semi-space-size=${semiSpaceMiB}`);
}

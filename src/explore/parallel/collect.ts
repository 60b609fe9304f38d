/**
 * A full garbage collection of this thread's heap, for the parallel search's shared buffers. A SharedArrayBuffer is
 * freed only when every thread that held it has collected its wrapper, and the search's threads allocate too little
 * to collect on their own: without this, the tables a partition outgrew stayed resident (3 VMs × 3 slots on two
 * workers: 405 MiB resident at the end of the search for ~130 MiB of live tables and columns).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

export function collect(): void {
  if (gc === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed !== undefined) gc = exposed;
    else {
      // The flag exposes `gc` to contexts created after it is set: this one only (the caller's global is unchanged).
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
  }
  gc();
}

/**
 * The pool worker of `check --random --workers N`: builds its own checked model from the configuration and property
 * names (plain data) and runs chunks of walks on it (src/explore/random/task.ts).
 */
import type { CheckConfig } from '../../../spec/checked/config.js';
import { walkTaskHandler } from '../../explore/random/index.js';
import { setUp } from '../../api/check-setup.js';

export interface WorkerSetup {
  readonly config: CheckConfig;
  readonly properties: readonly string[];
}

export default walkTaskHandler((setup) => {
  const s = setUp((setup as WorkerSetup).config, (setup as WorkerSetup).properties);
  return { model: s.model, properties: s.properties };
});

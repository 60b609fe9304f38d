import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Exhaustive checks and simulations are CPU-bound: two workers match this 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Real processes and real timing: two files at a time on a 2-core machine keeps timings honest.
    maxWorkers: 2,
    reporters: ['default'],
    // No test may pull from a registry off this machine (registryConfig.ts).
    env: { TINYLET_REGISTRY_OFFLINE: '1' },
  },
});

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
    // ...nor ask the host's DNS resolvers about names outside the cluster (dnsServer.ts).
    env: { TINYLET_REGISTRY_OFFLINE: '1', TINYLET_DNS_OFFLINE: '1' },
  },
});

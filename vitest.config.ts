import { defineConfig } from 'vitest/config';

// One random base per run, shared by every test file (each runs in its own process): the files
// running at the same time then get distinct pod and service subnets from their pool ids
// (test/helpers/testKubelet.ts), while two runs on one machine still rarely meet.
const subnetBase = process.env.TINYLET_TEST_SUBNET_BASE ?? String(Math.floor(Math.random() * 40));

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
    env: { TINYLET_REGISTRY_OFFLINE: '1', TINYLET_DNS_OFFLINE: '1', TINYLET_TEST_SUBNET_BASE: subnetBase },
  },
});

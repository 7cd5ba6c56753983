import { defineConfig } from 'vitest/config';

// Two projects: `unit` runs pure modules with no services; `integration` gets a real
// PostgreSQL database, the simulators as separate processes and a real Temporal dev server
// from test/global-setup.ts. Always `forks`: Temporal's native bridge crashes under threads.
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        extends: true,
        // Generous timeout: a 2-core CI machine under load must not fail a correct test on time alone.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});

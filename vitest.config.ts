import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    // Tests never depend on wall-clock limits: these only stop a hung run, far beyond any loaded machine.
    testTimeout: 900_000,
    hookTimeout: 900_000,
    // Process tests run the compiled CLI: rebuild dist/ when a source changed since the last build.
    globalSetup: ['test/helpers/build-cli.ts'],
    pool: 'forks',
    maxWorkers: 2,
  },
});

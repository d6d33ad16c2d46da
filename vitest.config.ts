import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    exclude: ['node_modules/**'],
    // Tests never depend on wall-clock limits: these only stop a hung run, far beyond any loaded machine.
    testTimeout: 900_000,
    hookTimeout: 900_000,
    // Process tests run the compiled CLI: rebuild dist/ when a source changed since the last build.
    globalSetup: ['test/helpers/build-cli.ts'],
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        // Unit, property and vector tests share one module graph per worker: importing it again for each
        // of ~80 files cost about half their CPU. They keep no state in modules; each builds its fixtures.
        test: { name: 'unit', include: ['**/*.test.ts'], exclude: ['node_modules/**', 'test/**'], isolate: false },
      },
      {
        extends: true,
        // Network tests start servers, processes and timers: each file gets a fresh worker, so nothing one
        // leaves behind can slow or disturb the next.
        test: { name: 'network', include: ['test/**/*.test.ts'], isolate: true },
      },
    ],
  },
});

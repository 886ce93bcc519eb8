import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // generous: every wait inside a test is for a condition; on a loaded 2-core machine starting
    // serve alone can take 20 s, and a test that would pass must not die of the clock
    testTimeout: 90_000,
    hookTimeout: 90_000,
    // network tests bind fixed loopback addresses; files run in parallel workers, tests inside a file in series
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
    // a fresh TMPDIR for the run, checked empty at the end; every file removes its tempDir()s
    globalSetup: ['test/setup/clean-temp-dir.ts'],
    setupFiles: ['test/setup/temp-dirs.ts'],
    env: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDTESTTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  },
});

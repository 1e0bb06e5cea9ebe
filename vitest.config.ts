import { defineConfig } from 'vitest/config';

// Tests talk to real PostgreSQL, MariaDB, s3rver and gpg; two cores, so two workers, and
// generous timeouts because dumps and restores are real.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['test/helpers/global-setup.ts'],
    // Tests build S3 clients themselves; the SDK's Node 20 notice is noise there.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});

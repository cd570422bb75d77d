import { defineConfig } from 'vitest/config'
import { liquibaseSchemaVitePlugin } from './scripts/liquibase-xsd.mjs'

// Two projects: `unit` needs no root and no engine (npm run test:unit); `e2e` starts the real parts first
// (scripts/test-env.sh: dockerd, registry, PostgreSQL, base images). `npm test` runs both.
export default defineConfig({
  // Unit tests that import src/ get the same bundled XSDs as dist/ (virtual:liquibase-xsd).
  plugins: [liquibaseSchemaVitePlugin],
  test: {
    // Every skipped test is listed with its reason after the run (__tests__/setup/skip-notes.ts).
    reporters: ['default', './__tests__/setup/skip-notes.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['__tests__/**/*.test.ts'],
          exclude: ['__tests__/e2e/**'],
          globalSetup: ['__tests__/setup/bundle.ts'],
          testTimeout: 30_000,
          // Vitest's default is one worker less than the cores: one, here. The tests mostly wait on child processes.
          maxWorkers: 2,
          sequence: { groupOrder: 0 }, // first: a fast answer before the engine work
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['__tests__/e2e/**/*.test.ts'],
          globalSetup: ['__tests__/setup/real-parts.ts'],
          // End-to-end tests share one dockerd and registry; builds are heavy on 2 cores, and a cold engine (first
          // pull of a base image, a first PostgreSQL connection) is slow.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
})

/**
 * Every test talks to real services (Temporal dev server, Medusa, Strapi, the simulators),
 * which test/global-setup.ts starts once for the whole run. Tests run in band: the services
 * share two cores, and parallel suites would mostly measure contention.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 120_000,
  maxWorkers: 1,
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/apps/'],
};

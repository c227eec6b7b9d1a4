/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/support/globalSetup.js',
  // The Teams stand-in's card checks fail the test that sent a card Teams would not render.
  setupFilesAfterEnv: ['<rootDir>/test/support/strictTeams.setup.ts'],
  // Integration tests start servers and an embedded database; two cores, so keep workers at 2.
  maxWorkers: 2,
};

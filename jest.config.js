/** @type {import('jest').Config} */
const tsJest = ['ts-jest', { diagnostics: false }];

// Two projects: `unit` needs nothing running; `emulator` needs the Pub/Sub and Firestore
// emulators, which test/run-tests.mjs starts and describes through environment variables.
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.emulator\\.test\\.ts$'],
    },
    {
      displayName: 'emulator',
      testEnvironment: 'node',
      // Emulator round trips share two cores with the emulators' JVMs: 30 s per test, set in a
      // setup file (jest ignores `testTimeout` inside a project).
      setupFilesAfterEnv: ['<rootDir>/test/support/emulator-timeout.ts'],
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/**/*.emulator.test.ts'],
    },
  ],
};

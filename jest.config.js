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
      // Emulator round trips share two cores with the emulators' JVMs: allow for a busy machine.
      testTimeout: 30_000,
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/**/*.emulator.test.ts'],
    },
  ],
};

// The emulator project's default test timeout. Jest reads `testTimeout` only from the root
// configuration, not from a project's, so the project sets it here: emulator round trips share
// two cores with the emulators' JVMs, and a busy machine must not fail a test at 5 s.
jest.setTimeout(30_000);

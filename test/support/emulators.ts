import { randomBytes } from 'node:crypto';

/** Set by test/run-tests.mjs when it started the emulators. */
export const emulatorsRunning = Boolean(
  process.env.PUBSUB_EMULATOR_HOST && process.env.FIRESTORE_EMULATOR_HOST,
);

/** `describe` when the emulators run, `describe.skip` (counted as skipped) when they don't. */
export const describeWithEmulators = emulatorsRunning ? describe : describe.skip;

/** A project ID of its own per suite, so suites sharing one emulator never see each other. */
export const uniqueProjectId = (prefix: string): string =>
  `${prefix}-${randomBytes(4).toString('hex')}`.toLowerCase();

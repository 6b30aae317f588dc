/**
 * Puts the sample brand and the dev agent where the functions look for them. Each part of the
 * product that owns seed data registers here.
 */
export type Seeder = (target: { firestoreHost: string; projectId: string }) => Promise<void>;

export const seedNothing: Seeder = () => Promise.resolve();

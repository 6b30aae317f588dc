import { seedSampleAgents } from '../sample-agents';
import { seedSampleBrand } from '../sample-brand';

/**
 * Puts the sample brand and the dev agent where the functions look for them: Firestore in the
 * emulator. (The dev agent's bearer token works without it; the record lets IAP mode be tried.)
 */
export type Seeder = (target: { firestoreHost: string; projectId: string }) => Promise<void>;

export const seedLocalData: Seeder = async (target) => {
  await Promise.all([seedSampleBrand(target), seedSampleAgents(target)]);
};

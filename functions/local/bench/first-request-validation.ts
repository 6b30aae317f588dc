import type { FunctionName } from '../stack/config';

/**
 * The brand validation a function's first request cannot do without (servers/brand-validation.ts
 * measures it alone, in a fresh process): automation answers from the whole configuration,
 * liveAgent reads the queue settings. The others validate no brand on their first request (the
 * classifier reads only its routing settings, a number it checks by hand).
 */
export const FIRST_VALIDATION: Partial<Record<FunctionName, 'brand' | 'queue'>> = {
  automation: 'brand',
  liveAgent: 'queue',
};

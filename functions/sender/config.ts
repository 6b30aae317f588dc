import * as z from 'zod';
import { CommonConfig } from '../platform/config';

const GOOGLE_ROOT_URL = 'https://businessmessages.googleapis.com/';

/**
 * 127.0.0.0/8, ::1, localhost, and the unspecified addresses 0.0.0.0 and :: (which connect to
 * this host): where the local stand-in of the API runs.
 */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    host === '0.0.0.0' ||
    host === '[::]' ||
    /^127(\.\d{1,3}){3}$/.test(host)
  );
}

const RootUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  .refine((value) => new URL(value).pathname === '/' && !new URL(value).search, {
    error:
      'expected an origin with no path or query, e.g. https://businessmessages.googleapis.com/',
  })
  // The generated client joins paths onto it; make the trailing slash a given.
  .transform((value) => new URL(value).origin + '/');

/** No credentials for a stand-in on this machine, so a local run never looks for ADC. */
const defaultAuth = (rootUrl: string): 'adc' | 'none' => (isLoopbackUrl(rootUrl) ? 'none' : 'adc');

const Millis = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const SenderConfig = CommonConfig.extend({
  /** The Firestore database holding conversations (the message log the sender writes). */
  FIRESTORE_DATABASE: z.string().min(1).default('(default)'),
  /** Google's API, or the local stand-in (`http://127.0.0.1:8082/`). */
  BM_API_ROOT_URL: RootUrl.default(GOOGLE_ROOT_URL),
  /**
   * `adc`: Application Default Credentials with the businessmessages scope; `none`: no
   * credentials, for the stand-in. Unset: `none` for a loopback root URL, else `adc`.
   */
  BM_API_AUTH: z.enum(['adc', 'none']).optional(),
  /** One API call's limit; with the longest quota wait it must fit the function's 60 s. */
  BM_API_TIMEOUT_MS: Millis(1_000, 30_000).default(15_000),
  /** Calls (messages and events) per conversation per minute; Google allows 60. */
  SEND_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(60).default(60),
  /** Longest wait for a quota slot within one delivery; longer waits go back to Pub/Sub. */
  SEND_MAX_WAIT_MS: Millis(0, 20_000).default(5_000),
})
  .transform((config) => ({
    ...config,
    BM_API_AUTH: config.BM_API_AUTH ?? defaultAuth(config.BM_API_ROOT_URL),
  }))
  .superRefine((config, ctx) => {
    const loopback = isLoopbackUrl(config.BM_API_ROOT_URL);
    if (config.BM_API_AUTH === 'adc' && !loopback && !config.BM_API_ROOT_URL.startsWith('https:')) {
      ctx.addIssue({
        code: 'custom',
        path: ['BM_API_ROOT_URL'],
        message: 'credentials are only sent over https, or over http to this machine',
      });
    }
    // Deployed, a call without credentials could only ever be refused by Google.
    if (config.K_SERVICE !== undefined && config.BM_API_AUTH === 'none' && !loopback) {
      ctx.addIssue({
        code: 'custom',
        path: ['BM_API_AUTH'],
        message: 'none is refused when deployed, unless BM_API_ROOT_URL is a loopback stand-in',
      });
    }
  });
export type SenderConfig = z.infer<typeof SenderConfig>;

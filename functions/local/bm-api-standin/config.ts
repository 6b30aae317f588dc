import * as z from 'zod';
import { describeIssues } from '../../core/validation-problems';

/** Google's canonical status for each HTTP code the stand-in may inject as a fault. */
export const FAULT_STATUS = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
} as const;
export type FaultCode = keyof typeof FAULT_STATUS;

export const isFaultCode = (code: unknown): code is FaultCode =>
  typeof code === 'number' && Object.hasOwn(FAULT_STATUS, code);

const FAULT_CODE_LIST = Object.keys(FAULT_STATUS).join(', ');
const MAX_LATENCY_MS = 60_000;

export interface FaultSettings {
  /** Share of API requests (0..1) answered with an injected error instead of being handled. */
  rate: number;
  /** Injected errors are drawn uniformly from these codes. */
  codes: FaultCode[];
  /** Added before every API request, fault or not. */
  latencyMs: number;
}

export const DEFAULT_FAULTS: FaultSettings = { rate: 0, codes: [500, 503, 429], latencyMs: 0 };

const Rate = z.number().min(0).max(1);
const LatencyMs = z.number().int().min(0).max(MAX_LATENCY_MS);
const Code = z.custom<FaultCode>(isFaultCode, {
  error: `fault codes must be among ${FAULT_CODE_LIST}`,
});

/** Body of `POST /_control/faults`; omitted fields keep their current value. */
export const FaultSettingsPatch = z.strictObject({
  rate: Rate.optional(),
  codes: z.array(Code).min(1).optional(),
  latencyMs: LatencyMs.optional(),
});
export type FaultSettingsPatch = z.infer<typeof FaultSettingsPatch>;

/** Unset and empty variables both mean "use the default". */
const env = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema);

const CodeList = z.string().transform((text, ctx): FaultCode[] => {
  const codes = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(Number);
  const bad = codes.filter((code) => !isFaultCode(code));
  if (codes.length === 0 || bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a comma-separated list of ${FAULT_CODE_LIST}, got "${text}"`,
    });
    return z.NEVER;
  }
  return codes.filter(isFaultCode);
});

const StandinEnv = z.object({
  BM_STANDIN_PORT: env(
    z.coerce.number({ error: 'expected a port number' }).int().min(0).max(65535).default(8082),
  ),
  BM_STANDIN_HOST: env(z.string().default('127.0.0.1')),
  BM_STANDIN_FAULT_RATE: env(
    z.coerce.number({ error: 'expected a number 0..1' }).pipe(Rate).default(DEFAULT_FAULTS.rate),
  ),
  BM_STANDIN_FAULT_CODES: env(CodeList.default([...DEFAULT_FAULTS.codes])),
  BM_STANDIN_LATENCY_MS: env(
    z.coerce
      .number({ error: 'expected milliseconds' })
      .pipe(LatencyMs)
      .default(DEFAULT_FAULTS.latencyMs),
  ),
  /** Makes a faulty run repeatable; unset draws from Math.random. */
  BM_STANDIN_FAULT_SEED: env(z.coerce.number({ error: 'expected an integer' }).int().optional()),
});

export interface StandinConfig {
  port: number;
  host: string;
  faults: FaultSettings;
  faultSeed?: number;
}

export class StandinConfigError extends Error {
  constructor(detail: string) {
    super(`invalid stand-in configuration: ${detail}`);
    this.name = 'StandinConfigError';
  }
}

/** Reads the environment once; throws naming every bad variable, so startup fails fast. */
export function loadStandinConfig(vars: NodeJS.ProcessEnv = process.env): StandinConfig {
  const parsed = StandinEnv.safeParse(vars);
  if (!parsed.success) throw new StandinConfigError(describeIssues(parsed.error));
  const e = parsed.data;
  return {
    port: e.BM_STANDIN_PORT,
    host: e.BM_STANDIN_HOST,
    faults: {
      rate: e.BM_STANDIN_FAULT_RATE,
      codes: e.BM_STANDIN_FAULT_CODES,
      latencyMs: e.BM_STANDIN_LATENCY_MS,
    },
    ...(e.BM_STANDIN_FAULT_SEED === undefined ? {} : { faultSeed: e.BM_STANDIN_FAULT_SEED }),
  };
}

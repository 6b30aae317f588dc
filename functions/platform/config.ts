import * as z from 'zod';
import { issuePath } from '../core/validation-problems';

/**
 * Configuration is read once per instance, from the environment, and validated as a whole:
 * a bad deploy fails at cold start naming every bad variable, not on the first customer.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** `true`/`false`/`1`/`0`, case-insensitive; anything else is an error, not `false`. */
export const EnvBoolean = z
  .enum(['true', 'false', '1', '0', 'TRUE', 'FALSE', 'True', 'False'])
  .transform((v) => v === '1' || v.toLowerCase() === 'true');

const TopicId = z.string().regex(/^[A-Za-z][\w.~+%-]{2,254}$/, 'not a valid Pub/Sub topic ID');

/** What every function shares: project, topics, content logging. */
export const CommonConfig = z.object({
  GOOGLE_CLOUD_PROJECT: z.string().min(1).default('bm-pipeline-local'),
  LOG_CONTENT: EnvBoolean.default(false),
  TOPIC_INBOUND: TopicId.default('inbound'),
  TOPIC_AUTOMATION: TopicId.default('automation'),
  TOPIC_LIVE_AGENT: TopicId.default('live-agent'),
  TOPIC_OUTBOUND: TopicId.default('outbound'),
  TOPIC_QUARANTINE: TopicId.default('quarantine'),
  /** Set by Cloud Run; its presence means "deployed", where dev defaults are refused. */
  K_SERVICE: z.string().optional(),
});
export type CommonConfig = z.infer<typeof CommonConfig>;

/** Parses `env` with `schema`, or throws one `ConfigError` listing every problem. */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const name = issuePath(issue.path) || '(environment)';
      const value = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
      const shown =
        value === undefined ? 'unset' : isSecretName(name) ? 'set' : JSON.stringify(value);
      return `${name} (${shown}): ${issue.message}`;
    }),
  );
}

const isSecretName = (name: string) => /KEY|TOKEN|SECRET|PASSWORD/i.test(name);

/** The topic ID for each logical topic. */
export function topicIds(config: CommonConfig) {
  return {
    inbound: config.TOPIC_INBOUND,
    automation: config.TOPIC_AUTOMATION,
    'live-agent': config.TOPIC_LIVE_AGENT,
    outbound: config.TOPIC_OUTBOUND,
    quarantine: config.TOPIC_QUARANTINE,
  } as const;
}

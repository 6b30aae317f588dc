import * as z from 'zod';

const Port = z.coerce.number().int().min(1).max(65535);

/** `npm start`'s settings: fixed default ports, each overridable from the environment. */
export const StackConfig = z.object({
  /** `auto` uses the emulators when the Google Cloud CLI has them, else one process. */
  BM_STACK_MODE: z.enum(['auto', 'emulators', 'embedded']).default('auto'),
  BM_STACK_HOST: z.string().min(1).default('127.0.0.1'),
  WEBHOOK_PORT: Port.default(8080),
  AGENT_API_PORT: Port.default(8081),
  BM_STANDIN_PORT: Port.default(8082),
  PUBSUB_EMULATOR_PORT: Port.default(8085),
  FIRESTORE_EMULATOR_PORT: Port.default(8086),
  CLASSIFIER_PORT: Port.default(8090),
  AUTOMATION_PORT: Port.default(8091),
  LIVE_AGENT_PORT: Port.default(8092),
  SENDER_PORT: Port.default(8093),
  GOOGLE_CLOUD_PROJECT: z.string().min(1).default('bm-pipeline-local'),
  BM_PARTNER_KEY: z.string().min(1).default('dev-partner-key'),
  BM_CLIENT_TOKEN: z.string().min(1).default('dev-client-token'),
  /**
   * The functions' log lines once the stack is ready: `brief`, one short line each (time,
   * function, severity, message); `verbose` (or `show`), the JSON lines as Cloud Logging gets
   * them; `quiet`, none. Before the ready line only progress is printed, whatever the mode.
   */
  BM_STACK_LOGS: z
    .enum(['brief', 'verbose', 'show', 'quiet'])
    .default('brief')
    .transform((mode) => (mode === 'show' ? 'verbose' : mode)),
});
export type StackConfig = z.infer<typeof StackConfig>;

/** Each function of the product: its entry, folder, signature and local port. */
export const FUNCTIONS = [
  { name: 'webhook', folder: 'webhook', signature: 'http', port: 'WEBHOOK_PORT' },
  { name: 'agentApi', folder: 'agent-api', signature: 'http', port: 'AGENT_API_PORT' },
  { name: 'classifier', folder: 'classifier', signature: 'cloudevent', port: 'CLASSIFIER_PORT' },
  { name: 'automation', folder: 'automation', signature: 'cloudevent', port: 'AUTOMATION_PORT' },
  { name: 'liveAgent', folder: 'live-agent', signature: 'cloudevent', port: 'LIVE_AGENT_PORT' },
  { name: 'sender', folder: 'sender', signature: 'cloudevent', port: 'SENDER_PORT' },
] as const satisfies readonly {
  name: string;
  folder: string;
  signature: 'http' | 'cloudevent';
  port: keyof StackConfig;
}[];
export type FunctionName = (typeof FUNCTIONS)[number]['name'];

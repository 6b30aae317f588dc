import { StandinConfigError, loadStandinConfig } from './config';
import { createStandin, seededRandom, type LogEntry } from './server';

/**
 * `node dist/functions/local/bm-api-standin/main.js`: runs the Business Messages API stand-in
 * until SIGINT or SIGTERM. The first line on stdout names its URL, for scripts that wait on it.
 */

const log = (entry: LogEntry): void => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};

async function main(): Promise<void> {
  const config = loadStandinConfig();
  const standin = createStandin({
    faults: config.faults,
    ...(config.faultSeed === undefined ? {} : { random: seededRandom(config.faultSeed) }),
    log,
  });
  const { url } = await standin.listen(config.port, config.host);
  log({ severity: 'INFO', message: 'bm-api-standin listening', url, faults: config.faults });

  const stop = (signal: NodeJS.Signals): void => {
    standin.close().then(
      () => log({ severity: 'INFO', message: 'bm-api-standin stopped', signal }),
      (error: unknown) => {
        log({ severity: 'ERROR', message: 'bm-api-standin stop failed', error: String(error) });
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message =
    error instanceof StandinConfigError ? error.message : 'bm-api-standin failed to start';
  log({ severity: 'ERROR', message, error: String(error) });
  process.exitCode = 1;
});

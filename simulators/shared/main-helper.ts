import type { FastifyInstance } from 'fastify';

/**
 * Entry point shared by the simulators' `main.ts`: listens on SIM_HOST (default 127.0.0.1; a
 * container sets 0.0.0.0) and the port from the
 * environment, prints one ready line, and closes cleanly (persisting state) on SIGINT/SIGTERM.
 */
export async function runSimulator(
  name: string,
  portEnv: string,
  defaultPort: number,
  build: () => FastifyInstance | Promise<FastifyInstance>,
): Promise<void> {
  const raw = process.env[portEnv];
  const port = raw === undefined || raw === '' ? defaultPort : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${portEnv} must be a port number, got ${JSON.stringify(raw)}`);
  }
  const app = await build();
  const host = process.env.SIM_HOST || '127.0.0.1';
  await app.listen({ host, port });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  console.log(`${name} simulator listening on http://${host}:${actualPort}`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(`${name} simulator: error while closing on ${signal}`, error);
        process.exit(1);
      });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

/** Fastify logger option for main.ts: off unless env SIM_LOG_LEVEL is set. */
export function loggerFromEnv(): false | { level: string } {
  const level = process.env.SIM_LOG_LEVEL;
  return level ? { level } : false;
}

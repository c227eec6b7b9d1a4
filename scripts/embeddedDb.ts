import { startEmbeddedCosmos } from '../services/storage/embeddedCosmos';
import { OperationCounter } from '../services/storage/operationCount';

/**
 * `npm run db`: runs the embedded Cosmos DB-compatible server as its own process, so that bot
 * processes can be stopped, killed and restarted without losing the data (local development, tests).
 * Prints one line `COSMOS_ENDPOINT=… COSMOS_CERT_SHA256=…` to put in the bot's environment.
 *
 * Started with an IPC channel (as the benchmarks start it), it counts the operations it serves by container and kind
 * and answers the message `{ type: 'operations' }` with `{ type: 'operations', counts }`.
 */
async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 0);
  const counter = process.send ? new OperationCounter() : undefined;
  const db = await startEmbeddedCosmos(Number.isInteger(port) ? port : 0, counter?.observe);
  if (counter) {
    process.on('message', (message: { type?: string }) => {
      if (message?.type === 'operations') process.send!({ type: 'operations', counts: counter.snapshot() });
    });
    // The IPC channel must not keep the process alive on its own.
    process.channel?.unref();
  }
  const stop = () => {
    void db.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  // Announced once the handlers are in place, so a stop sent right after this line closes the server cleanly.
  process.stdout.write(`COSMOS_ENDPOINT=${db.endpoint} COSMOS_CERT_SHA256=${db.certificateSha256}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`embedded database failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});

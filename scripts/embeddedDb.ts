import { startEmbeddedCosmos } from '../services/storage/embeddedCosmos';

/**
 * `npm run db`: runs the embedded Cosmos DB-compatible server as its own process, so that bot
 * processes can be stopped, killed and restarted without losing the data (local development, tests).
 * Prints one line `COSMOS_ENDPOINT=… COSMOS_CERT_SHA256=…` to put in the bot's environment.
 */
async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 0);
  const db = await startEmbeddedCosmos(Number.isInteger(port) ? port : 0);
  process.stdout.write(`COSMOS_ENDPOINT=${db.endpoint} COSMOS_CERT_SHA256=${db.certificateSha256}\n`);
  const stop = () => {
    void db.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`embedded database failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});

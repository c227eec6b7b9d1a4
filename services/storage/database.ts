import type https from 'node:https';
import { CosmosClient, type Database as CosmosDb } from '@azure/cosmos';
import { DefaultAzureCredential } from '@azure/identity';
import { CONTAINER_NAMES, CONTAINER_SCHEMA, type ContainerName } from './containers';
import { CosmosDocumentStore } from './cosmosDocumentStore';
import type { DocumentStore, StoredFields } from './documentStore';
import { cosmosAgent } from './cosmosAgent';
import { pinnedAgent, startEmbeddedCosmos, type EmbeddedCosmos } from './embeddedCosmos';
import { StorageUnavailableError } from './errors';
import { TracedDocumentStore } from './tracedDocumentStore';

export interface DatabaseOptions {
  /** Account endpoint; absent = start the embedded server on loopback. */
  endpoint?: string;
  /** Account key; absent with an endpoint = managed identity / DefaultAzureCredential. */
  key?: string;
  /** Client id of the user-assigned managed identity to use (App Service with only a user-assigned identity needs it). */
  managedIdentityClientId?: string;
  databaseId: string;
  /**
   * SHA-256 fingerprint ("AB:CD:…") of a self-signed certificate to trust for this endpoint only:
   * for an embedded server running in another local process (`npm run db`), never for Azure.
   */
  certificateSha256?: string;
  /** Port for the embedded server (0 = any free port). */
  embeddedPort?: number;
}

/** The application's database: its containers as `DocumentStore`s, a readiness probe, and shutdown. */
export interface AppDatabase {
  readonly embedded: boolean;
  readonly endpoint: string;
  store<T extends StoredFields>(name: ContainerName): DocumentStore<T>;
  /** Resolves when the database answers; rejects with a reason otherwise. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * @azure/cosmos 4.9 serialises every operation's diagnostics to JSON (`ClientContext.recordDiagnostics`) and, at its
 * default level `info`, hands the text to a writer that discards it: a JSON.stringify and a promise per operation
 * for nothing (issue 14). When the client's writer is that no-op one, recording is left out; the diagnostics on each
 * response (`response.diagnostics`) are untouched, and any other level (`AZURE_COSMOSDB_DIAGNOSTICS_LEVEL=debug`, which
 * logs them) is left as it is. If a later SDK changes these internals, nothing is changed.
 */
export function skipDiscardedDiagnostics(client: CosmosClient): boolean {
  const context = (client as unknown as { clientContext?: { recordDiagnostics?: unknown; diagnosticWriter?: { constructor?: { name?: string } } } }).clientContext;
  if (!context || typeof context.recordDiagnostics !== 'function' || context.diagnosticWriter?.constructor?.name !== 'NoOpDiagnosticWriter') return false;
  context.recordDiagnostics = () => undefined;
  return true;
}

async function createClient(options: DatabaseOptions): Promise<{ client: CosmosClient; embedded?: EmbeddedCosmos; endpoint: string }> {
  const made = await createCosmosClient(options);
  skipDiscardedDiagnostics(made.client);
  return made;
}

async function createCosmosClient(options: DatabaseOptions): Promise<{ client: CosmosClient; embedded?: EmbeddedCosmos; endpoint: string }> {
  if (!options.endpoint) {
    const embedded = await startEmbeddedCosmos(options.embeddedPort ?? 0);
    const client = new CosmosClient({
      endpoint: embedded.endpoint,
      key: 'embedded-cosmos-accepts-any-key',
      agent: embedded.agent as unknown as https.Agent,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    return { client, embedded, endpoint: embedded.endpoint };
  }
  if (options.certificateSha256) {
    const client = new CosmosClient({
      endpoint: options.endpoint,
      key: options.key ?? 'embedded-cosmos-accepts-any-key',
      agent: pinnedAgent(options.certificateSha256) as unknown as https.Agent,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    return { client, endpoint: options.endpoint };
  }
  if (options.key) {
    return { client: new CosmosClient({ endpoint: options.endpoint, key: options.key, agent: cosmosAgent() }), endpoint: options.endpoint };
  }
  // Managed identity in Azure (App Service), developer credentials locally.
  return {
    client: new CosmosClient({
      endpoint: options.endpoint,
      aadCredentials: new DefaultAzureCredential(options.managedIdentityClientId ? { managedIdentityClientId: options.managedIdentityClientId } : {}),
      agent: cosmosAgent(),
    }),
    endpoint: options.endpoint,
  };
}

/** Creates the database and every container if missing (idempotent), and returns the stores. */
async function ensureSchema(client: CosmosClient, databaseId: string): Promise<CosmosDb> {
  const { database } = await client.databases.createIfNotExists({ id: databaseId });
  for (const id of CONTAINER_NAMES) {
    // defaultTtl -1 enables per-document `ttl` on Azure (retention); the embedded server ignores it,
    // so purge jobs delete by `expiresAt` as well. On Azure, infra/cosmos.bicep declares the same.
    await database.containers.createIfNotExists({ id, partitionKey: { paths: [CONTAINER_SCHEMA.partitionKeyPath] }, defaultTtl: CONTAINER_SCHEMA.defaultTtl });
  }
  return database;
}

/** Connects to Cosmos DB (or starts the embedded server) and prepares the containers. */
export async function openDatabase(options: DatabaseOptions): Promise<AppDatabase> {
  const { client, embedded, endpoint } = await createClient(options);
  let database: CosmosDb;
  try {
    database = await ensureSchema(client, options.databaseId);
  } catch (err) {
    client.dispose();
    await embedded?.close();
    throw new StorageUnavailableError(`could not prepare database "${options.databaseId}" at ${endpoint}: ${(err as Error).message}`);
  }
  const stores = new Map<string, DocumentStore<StoredFields>>();
  // One span per database call (a no-op without telemetry).
  for (const name of CONTAINER_NAMES) stores.set(name, new TracedDocumentStore(new CosmosDocumentStore(database.container(name))));
  let closed = false;
  return {
    embedded: !!embedded,
    endpoint,
    store<T extends StoredFields>(name: ContainerName): DocumentStore<T> {
      return stores.get(name) as unknown as DocumentStore<T>;
    },
    async ping(timeoutMs = 2000): Promise<void> {
      if (closed) throw new StorageUnavailableError('database client is closed');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StorageUnavailableError(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([database.read(), timeout]);
      } catch (err) {
        throw err instanceof StorageUnavailableError ? err : new StorageUnavailableError((err as Error).message);
      } finally {
        clearTimeout(timer);
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      client.dispose();
      await embedded?.close();
    },
  };
}

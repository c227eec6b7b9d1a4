import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Logger } from '../services/logging';
import { CONTAINERS } from '../services/storage/containers';
import { openDatabase, type AppDatabase } from '../services/storage/database';
import { UserProfileRepository, type UserProfile } from '../services/users/userProfiles';
import { createAdapter } from './adapter';
import type { AppConfig } from './config';
import { helpFeature } from './handlers/help';
import type { Feature } from './handlers/types';
import { startServer, type RunningServer } from './server';
import { TeamsBot } from './teamsBot';
import type { Lang } from './texts';
import type { HelpSection } from '../cards/helpCard';

export interface AppOptions {
  logger: Logger;
  /** Outbound credentials that never call the identity provider (tests with an app ID). */
  credentialsFactory?: ServiceClientCredentialsFactory;
  /** Use this database instead of opening one (tests sharing one embedded server). */
  database?: AppDatabase;
}

export interface RunningApp {
  readonly url: string;
  readonly port: number;
  readonly database: AppDatabase;
  /** Stops accepting, finishes in-flight turns, closes the database client. */
  stop(): Promise<void>;
}

/** Composition root: wires configuration, storage, features, bot, adapter and HTTP server. */
export async function startApp(config: AppConfig, options: AppOptions): Promise<RunningApp> {
  const { logger } = options;
  const database = options.database ?? (await openDatabase({ ...config.cosmos }));
  const ownsDatabase = !options.database;
  if (database.embedded) {
    logger.warn(
      { event: 'storage.embedded', endpoint: database.endpoint },
      'No COSMOS_ENDPOINT configured: using the embedded Cosmos DB-compatible server on loopback. Data is kept in memory and is gone when the process stops.',
    );
  } else {
    logger.info({ event: 'storage.cosmos', endpoint: database.endpoint, databaseId: config.cosmos.databaseId }, 'Using Azure Cosmos DB');
  }

  const profiles = new UserProfileRepository(database.store<UserProfile>(CONTAINERS.users));

  const features: Feature[] = [];
  const helpSections = (): Record<Lang, HelpSection[]> => ({
    de: features.flatMap((f) => f.help?.de ?? []),
    en: features.flatMap((f) => f.help?.en ?? []),
  });
  features.push(helpFeature(helpSections));

  const bot = new TeamsBot({ features, profiles, logger });
  const adapter = createAdapter(config, logger, { credentialsFactory: options.credentialsFactory });
  let server: RunningServer;
  try {
    server = await startServer(
      { adapter, bot, logger, maxBodyBytes: config.maxBodyBytes, ready: () => database.ping() },
      config.host,
      config.port,
    );
  } catch (err) {
    if (ownsDatabase) await database.close();
    throw err;
  }

  let stopped: Promise<void> | undefined;
  return {
    url: server.url,
    port: server.port,
    database,
    stop: () =>
      (stopped ??= (async () => {
        await server.stop(config.shutdownGraceMs);
        if (ownsDatabase) await database.close();
      })()),
  };
}

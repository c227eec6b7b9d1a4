import type { GraphPort } from '../../services/graph/graphPort';
import type { Logger } from '../../services/logging';
import type { GraphConfig } from '../config';

/** Options of {@link createGraphPort}. */
export interface GraphPortOptions {
  logger: Logger;
}

/**
 * The Graph port on Microsoft's Graph client and `@azure/identity`, with the bot's own credential.
 * (Being written: see services/graph/graphPort.ts for the contract.)
 */
export function createGraphPort(_config: GraphConfig, _options: GraphPortOptions): GraphPort {
  throw new Error('createGraphPort: not implemented yet');
}

import type https from 'node:https';
import { CosmosClient, CosmosDbDiagnosticLevel } from '@azure/cosmos';
import { skipDiscardedDiagnostics } from '../../../services/storage/database';
import { startEmbeddedCosmos } from '../../../services/storage/embeddedCosmos';

type Internals = { clientContext: { diagnosticFormatter: { format: (d: unknown) => string } } };

describe('Cosmos diagnostics the SDK would only discard (issue 14)', () => {
  let server: Awaited<ReturnType<typeof startEmbeddedCosmos>>;
  beforeAll(async () => {
    server = await startEmbeddedCosmos();
  });
  afterAll(() => server.close());

  const clientAt = (diagnosticLevel?: CosmosDbDiagnosticLevel) =>
    new CosmosClient({ endpoint: server.endpoint, key: 'embedded-cosmos-accepts-any-key', agent: server.agent as unknown as https.Agent, connectionPolicy: { enableEndpointDiscovery: false }, diagnosticLevel });

  async function formatsPerOperation(client: CosmosClient): Promise<{ formatted: number; diagnostics: unknown }> {
    const formatter = (client as unknown as Internals).clientContext.diagnosticFormatter;
    const format = jest.spyOn(formatter, 'format');
    const { database } = await client.databases.createIfNotExists({ id: 'diagnostics' });
    const { container } = await database.containers.createIfNotExists({ id: 'c', partitionKey: { paths: ['/pk'] } });
    format.mockClear();
    await container.items.upsert({ id: 'a', pk: 'p' });
    const read = await container.item('a', 'p').read();
    return { formatted: format.mock.calls.length, diagnostics: read.diagnostics };
  }

  it('at the default level: no serialisation per operation, the response keeps its diagnostics', async () => {
    const client = clientAt();
    expect(skipDiscardedDiagnostics(client)).toBe(true);
    const { formatted, diagnostics } = await formatsPerOperation(client);
    expect(formatted).toBe(0);
    expect(diagnostics).toEqual(expect.objectContaining({ clientSideRequestStatistics: expect.any(Object) }));
    client.dispose();
  });

  it('leaves a level that logs diagnostics (debug) as it is', async () => {
    const client = clientAt(CosmosDbDiagnosticLevel.debug);
    expect(skipDiscardedDiagnostics(client)).toBe(false);
    expect((await formatsPerOperation(client)).formatted).toBe(2);
    client.dispose();
  });

  it('without the step the SDK serialises every operation (what the step saves)', async () => {
    const client = clientAt();
    expect((await formatsPerOperation(client)).formatted).toBe(2);
    client.dispose();
  });
});

/**
 * Baseline: the ceiling of the HTTP stack alone. restify with its body parser answering 200 to every
 * POST /api/messages, no bot. Run `node dist/bench/baselines/bareRestify.js [port]`; prints `READY <port>`.
 */
import type { AddressInfo } from 'node:net';
import restify from 'restify';
import { portFromArgs } from '../childProcess';

const server = restify.createServer();
server.use(restify.plugins.bodyParser());
server.post('/api/messages', (_req, res, next) => {
  res.send(200);
  return next();
});

server.listen(portFromArgs(), '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
});

// A baseline holds nothing worth draining; exit at once so keep-alive sockets cannot delay the next run.
process.once('SIGTERM', () => process.exit(0));

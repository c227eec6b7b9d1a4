/**
 * Preloaded (`node --require`) into the Agents Playground process by `startPlayground`; never imported.
 *
 * The Playground binds its server to every interface, and it lets anyone who reaches it talk to the bot as a mock
 * user of a bot that runs without authentication. Pinning unbound listens to loopback keeps it off the LAN.
 */
import net from 'node:net';

const LOOPBACK = '127.0.0.1';
const originalListen = net.Server.prototype.listen;

function pinnedArgs(args: unknown[]): unknown[] {
  const [first, second] = args;
  if (args.length === 0 || typeof first === 'function') return [0, LOOPBACK, ...args];
  if (typeof first === 'number' && typeof second !== 'string') return [first, LOOPBACK, ...args.slice(1)];
  if (first && typeof first === 'object' && 'port' in first && !('host' in first)) {
    return [{ ...(first as object), host: LOOPBACK }, ...args.slice(1)];
  }
  // A pipe path, a handle, or an explicit host: left alone.
  return args;
}

net.Server.prototype.listen = function listen(this: net.Server, ...args: unknown[]) {
  return (originalListen as (...a: unknown[]) => net.Server).apply(this, pinnedArgs(args));
} as typeof net.Server.prototype.listen;

// Spawned with an IPC channel: it closes when the parent dies, even by SIGKILL, so no Playground outlives its runner.
if (process.send) {
  process.on('disconnect', () => process.exit(0));
}

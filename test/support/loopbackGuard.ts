import dns from 'node:dns';
import net from 'node:net';

/**
 * Proof that a test stayed on the machine: while installed, every outgoing TCP connection and DNS lookup in this
 * process is checked, and anything aimed beyond loopback is refused (the socket errors with `ELOOPBACKONLY`) and
 * recorded. Tests assert `guard.blocked` is empty at the end.
 *
 * @example
 * ```ts
 * const guard = installLoopbackGuard();
 * afterAll(() => guard.restore());
 * it('…', async () => { …; expect(guard.blocked).toEqual([]); });
 * ```
 */
export interface LoopbackGuard {
  /** Connection targets that were allowed (host:port). */
  readonly allowed: string[];
  /** Connection targets and DNS names that were refused. */
  readonly blocked: string[];
  /** Puts the original `net` and `dns` functions back. */
  restore(): void;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1', 'localhost']);

function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

/** Where a `Socket#connect` call is aimed, from any of its argument forms. */
function connectTarget(args: unknown[]): { host?: string; port?: unknown; path?: string } {
  // net.createConnection passes its normalized arguments as one array.
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: string; port?: unknown; path?: string };
    return { host: options.path ? undefined : (options.host ?? 'localhost'), port: options.port, path: options.path };
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: first };
  }
  if (typeof first === 'string') return { path: first };
  return {};
}

/** Installs the guard for this process (jest runs each test file in its own worker context). */
export function installLoopbackGuard(): LoopbackGuard {
  const allowed: string[] = [];
  const blocked: string[] = [];
  const originalConnect = net.Socket.prototype.connect;
  const originalLookup = dns.lookup;

  function guardedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
    const target = connectTarget(args);
    if (target.path !== undefined) return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
    const description = `${target.host ?? '?'}:${String(target.port)}`;
    if (target.host !== undefined && isLoopback(target.host)) {
      allowed.push(description);
      return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
    }
    blocked.push(description);
    const error = Object.assign(new Error(`Loopback guard refused a connection to ${description}`), { code: 'ELOOPBACKONLY' });
    process.nextTick(() => this.destroy(error));
    return this;
  }

  function guardedLookup(hostname: string, ...rest: unknown[]): void {
    if (!isLoopback(hostname)) {
      blocked.push(`dns:${hostname}`);
      const callback = rest[rest.length - 1];
      if (typeof callback === 'function') {
        const error = Object.assign(new Error(`Loopback guard refused a DNS lookup of ${hostname}`), { code: 'ELOOPBACKONLY' });
        process.nextTick(() => (callback as (e: Error) => void)(error));
      }
      return;
    }
    (originalLookup as (...a: unknown[]) => void)(hostname, ...rest);
  }

  net.Socket.prototype.connect = guardedConnect as typeof net.Socket.prototype.connect;
  dns.lookup = guardedLookup as typeof dns.lookup;
  return {
    allowed,
    blocked,
    restore(): void {
      net.Socket.prototype.connect = originalConnect;
      dns.lookup = originalLookup;
    },
  };
}

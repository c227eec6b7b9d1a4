import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedCosmos } from '../../services/storage/embeddedCosmos';
import { activityBuilders } from '../support/activities';
import { startBotProcess as startBot, childEnv } from '../support/botProcess';
import { observeInbound, startChannelEmulator, type ChannelEmulator } from '../support/channelEmulator';

const root = path.resolve(__dirname, '..', '..');
const entry = path.join(root, 'dist', 'bot', 'index.js');
const startBotProcess = (extra: Record<string, string> = {}) => startBot(extra, 20_000);

describe('the service as a process (npm start)', () => {
  let emulator: ChannelEmulator;
  beforeAll(async () => {
    emulator = await startChannelEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('says in its first log lines that the data is in memory and that it listens on loopback only', async () => {
    const bot = await startBotProcess();
    try {
      const events = bot.lines.map((l) => l.event);
      expect(events).toEqual(expect.arrayContaining(['auth.disabled', 'storage.embedded', 'server.listening']));
      expect(bot.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const embedded = bot.lines.find((l) => l.event === 'storage.embedded');
      expect(String(embedded?.msg)).toMatch(/in memory/);
    } finally {
      bot.child.kill('SIGTERM');
      await bot.exited;
    }
  });

  it('warns in a log line at start when it runs in test mode, naming the test-only switches set', async () => {
    const bot = await startBotProcess({ LOTSE_TEST_MODE: 'true', TAB_SSO_OPENID_METADATA_URL: 'http://127.0.0.1:9/v2.0/.well-known/openid-configuration' });
    try {
      const warning = bot.lines.find((l) => l.event === 'config.test_mode');
      expect(warning).toMatchObject({ level: 40, switches: ['TAB_SSO_OPENID_METADATA_URL'] });
      expect(String(warning?.msg)).toMatch(/LOTSE_TEST_MODE=true.*Never run production like this/);
      // Logged before the service listens.
      expect(bot.lines.indexOf(warning!)).toBeLessThan(bot.lines.findIndex((l) => l.event === 'server.listening'));
    } finally {
      bot.child.kill('SIGTERM');
      await bot.exited;
    }
  });

  it('handles SIGTERM and SIGINT from the moment it says it listens (a stop right after the line is graceful)', async () => {
    // A preload (nothing in the service) notes, at the moment the line is written, how many listeners each signal has.
    // Without one the signal's default action kills the process (exit code null) instead of the graceful stop.
    const dir = mkdtempSync(path.join(tmpdir(), 'lotse-signals-'));
    const preload = path.join(dir, 'signals.js');
    const out = path.join(dir, 'signals.json');
    writeFileSync(
      preload,
      `const fs = require('node:fs');
const { write, writeSync } = fs;
const note = (fd, data) => {
  if (fd === 1 && String(data).includes('"event":"server.listening"')) {
    writeSync(fs.openSync(process.env.SIGNALS_OUT, 'w'), JSON.stringify({ SIGTERM: process.listenerCount('SIGTERM'), SIGINT: process.listenerCount('SIGINT') }));
  }
};
// The logger writes stdout through fs (sonic-boom), asynchronously or not.
fs.write = function (fd, data, ...rest) { note(fd, data); return write.call(this, fd, data, ...rest); };
fs.writeSync = function (fd, data, ...rest) { note(fd, data); return writeSync.call(this, fd, data, ...rest); };
`,
    );
    try {
      const bot = await startBotProcess({ NODE_OPTIONS: `--require ${preload}`, SIGNALS_OUT: out });
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ SIGTERM: 1, SIGINT: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads the embedded database server only when it runs one, not when its database is elsewhere (as in production)', async () => {
    // Each process writes the modules it loaded when it exits (a preload through NODE_OPTIONS, nothing in the service).
    const dir = mkdtempSync(path.join(tmpdir(), 'lotse-modules-'));
    const preload = path.join(dir, 'record.js');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(process.env.MODULES_OUT, JSON.stringify(Object.keys(require.cache))));\n`);
    const loaded = async (env: Record<string, string>, out: string): Promise<string[]> => {
      const bot = await startBotProcess({ ...env, NODE_OPTIONS: `--require ${preload}`, MODULES_OUT: path.join(dir, out) });
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      return JSON.parse(readFileSync(path.join(dir, out), 'utf8')) as string[];
    };
    const db = await startEmbeddedCosmos();
    try {
      const elsewhere = await loaded({ COSMOS_ENDPOINT: db.endpoint, COSMOS_CERT_SHA256: db.certificateSha256, COSMOS_DATABASE: 'modules-loaded' }, 'elsewhere.json');
      const embedded = await loaded({}, 'embedded.json');
      const server = (modules: string[]) => modules.filter((m) => m.includes(`${path.sep}@vercel${path.sep}cosmosdb-server${path.sep}`));
      expect(elsewhere.some((m) => m.endsWith(path.join('dist', 'bot', 'app.js')))).toBe(true);
      expect(server(elsewhere)).toEqual([]);
      expect(server(embedded).length).toBeGreaterThan(0);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finishes an in-flight turn on SIGTERM, then exits 0', async () => {
    emulator.reset();
    emulator.setLatency(800);
    const bot = await startBotProcess();
    try {
      const teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
      const hello = teams.message('Hilfe');
      observeInbound(hello);
      const posted = fetch(`${bot.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(hello),
      });
      await emulator.waitFor(() => true, 5000).catch(() => undefined);
      bot.child.kill('SIGTERM');
      const res = await posted;
      expect(res.status).toBe(200);
      expect(await bot.exited).toBe(0);
      expect(emulator.calls.filter((c) => c.operation === 'reply' || c.operation === 'send')).toHaveLength(1);
      expect(bot.lines.map((l) => l.event)).toEqual(expect.arrayContaining(['server.stopping', 'server.stopped']));
    } finally {
      emulator.setLatency(0);
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
    }
  });

  it.each([
    [{ PORT: 'achtzig' }, /^Configuration error: PORT: must be a whole number/],
    [{ MicrosoftAppId: 'not-a-guid' }, /^Configuration error: MicrosoftAppId: must be the Application \(client\) ID GUID/],
    [{ MicrosoftAppId: '5f0e0c2a-1111-4222-8333-444455556666', MicrosoftAppTenantId: '5f0e0c2a-1111-4222-8333-444455556667' }, /^Configuration error: ALLOWED_TENANT_IDS: must list the tenant/],
    [{ COSMOS_KEY: 'secret-value-123' }, /^Configuration error: COSMOS_KEY: is set but COSMOS_ENDPOINT is not/],
    [{ MAX_BODY_BYTES: 'huge' }, /^Configuration error: MAX_BODY_BYTES: must be a size/],
    // Without an app ID nothing is authenticated: not off loopback.
    [{ HOST: '0.0.0.0' }, /^Configuration error: HOST: is "0\.0\.0\.0", not a loopback address, .*set MicrosoftAppId .*HOST=127\.0\.0\.1/],
    // Test-only switches need LOTSE_TEST_MODE=true.
    [{ BOTAUTH_ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/openid' }, /^Configuration error: BOTAUTH_ToBotFromChannelOpenIdMetadataUrl: is a test-only switch/],
    [{ TAB_SSO_OPENID_METADATA_URL: 'http://127.0.0.1:9/v2.0/.well-known/openid-configuration' }, /^Configuration error: TAB_SSO_OPENID_METADATA_URL: must be Microsoft Entra ID metadata/],
  ])('refuses to start with %p, naming the key in one line', (env, message) => {
    const run = spawnSync(process.execPath, [entry], { cwd: root, env: childEnv(env as Record<string, string>), encoding: 'utf8', timeout: 15_000 });
    expect(run.status).toBe(1);
    const out = (run.stderr + run.stdout).trim().split('\n');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(message);
    expect(run.stderr + run.stdout).not.toContain('secret-value-123');
  });
});

import { Writable } from 'node:stream';
import { createLogger, LOG_LIMITS } from '../../bot/logger';

function capture() {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { raw, logger: createLogger({ logLevel: 'info' }, stream) };
}

describe('the process logger bounds what a caller hands it', () => {
  it('cuts long strings to 64 characters and strips control characters that could forge a line', () => {
    const { raw, logger } = capture();
    logger.warn({ event: 'x', activityId: `ab\n{"level":60}\u0007${'z'.repeat(100_000)}`, conversationId: 'short\r\nid' }, 'refused');
    expect(raw).toHaveLength(1);
    const line = JSON.parse(raw[0]) as Record<string, string>;
    expect(line.activityId).toBe(`ab{"level":60}${'z'.repeat(LOG_LIMITS.string - 14)}…`);
    expect(line.conversationId).toBe('shortid');
    expect(raw[0].length).toBeLessThan(400);
  });

  it('bounds arrays, nesting, keys and the message, and logs an error by its class and code only', () => {
    const { raw, logger } = capture();
    const err = Object.assign(new Error('cannot reach https://secret.example/ for erika@example.org'), { code: 'ECONNREFUSED' });
    const wide = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    logger.error({ event: 'y', err, ids: Array.from({ length: 1000 }, (_, i) => `id-${i}`), deep: { a: { b: { c: { d: 'too deep' } } } }, wide }, 'm'.repeat(10_000));
    const line = JSON.parse(raw[0]) as Record<string, any>;
    expect(line.err).toEqual({ type: 'Error', code: 'ECONNREFUSED' });
    expect(raw[0]).not.toContain('secret.example');
    expect(line.ids).toHaveLength(LOG_LIMITS.items + 1);
    expect(line.ids[LOG_LIMITS.items]).toBe(`…${1000 - LOG_LIMITS.items} more`);
    expect(line.deep).toEqual({ a: { b: '[object]' } });
    expect(Object.keys(line.wide)).toHaveLength(LOG_LIMITS.keys + 1);
    expect(line.msg).toHaveLength(LOG_LIMITS.message + 1);
    expect(raw[0].length).toBeLessThan(1500);
  });

  it('never takes an error\'s message as the line\'s message when the caller gives none', () => {
    const { raw, logger } = capture();
    const err = new Error(`cannot reach https://secret.example/ for erika@example.org ${'x'.repeat(10_000)}`);
    (logger as unknown as { error(obj: unknown): void }).error({ event: 'e', err });
    (logger as unknown as { error(obj: unknown): void }).error(err);
    expect(raw).toHaveLength(2);
    for (const line of raw) {
      expect(line).not.toMatch(/secret\.example|erika@/);
      expect(line.length).toBeLessThan(400);
    }
  });

  it('keeps a whole line near 1 KB however wide and deep the object is', () => {
    const { raw, logger } = capture();
    const level = (n: number): unknown => (n === 0 ? 'x'.repeat(100) : Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`${'k'.repeat(30)}${i}`, level(n - 1)])));
    const numbers = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`n${i}`, Object.fromEntries(Array.from({ length: 20 }, (_, j) => [`m${j}`, Number.MAX_SAFE_INTEGER]))]));
    logger.warn({ event: 'wide', activityId: 'a1', ...(level(3) as object) }, 'm'.repeat(10_000));
    logger.warn({ event: 'numbers', activityId: 'a2', numbers }, 'ok');
    expect(raw).toHaveLength(2);
    for (const line of raw) expect(line.length).toBeLessThan(1500);
    // What comes first (the event and the ids) is kept.
    expect(JSON.parse(raw[0])).toMatchObject({ event: 'wide', activityId: 'a1' });
  });

  it('still censors keys that carry personal data or secrets', () => {
    const { raw, logger } = capture();
    logger.info({ event: 'z', text: 'Hallo, ich bin Erika', token: 'eyJ…', user: { email: 'erika@example.org' } }, 'ok');
    expect(raw[0]).not.toMatch(/Erika|eyJ|erika@/);
    expect(JSON.parse(raw[0])).toMatchObject({ text: '[redacted]', token: '[redacted]', user: { email: '[redacted]' } });
  });

  it('leaves the caller\'s object alone', () => {
    const { logger } = capture();
    const obj = { event: 'w', activityId: 'x'.repeat(200) };
    logger.info(obj, 'ok');
    expect(obj.activityId).toHaveLength(200);
  });
});

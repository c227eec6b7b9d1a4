import { digestKey, fromKey, readableIdOf, toKey } from '../../../services/common/ids';
import { assertValidKey, InvalidKeyError } from '../../../services/storage/errors';

describe('toKey / fromKey', () => {
  const samples = [
    '19:abc@thread.tacv2;messageid=1700000000000',
    'a:1Xyz/Ab\\cd?e#f',
    '100%/sure',
    '%2f is not a slash',
    'user@bezreg-muenster.nrw.de',
    'ümlaut ß',
  ];

  it('round-trips and yields keys Cosmos accepts', () => {
    expect(samples.length).toBeGreaterThan(0);
    for (const s of samples) {
      const key = toKey(s);
      expect(() => assertValidKey(key)).not.toThrow();
      expect(key).not.toMatch(/[/\\?#]/);
      expect(fromKey(key)).toBe(s);
    }
  });

  it('keeps Teams id characters readable and escapes only % / \\ ? #', () => {
    expect(toKey('19:abc@thread.tacv2;x')).toBe('19:abc@thread.tacv2;x');
    expect(toKey('a/b\\c?d#e%f')).toBe('a%2fb%5cc%3fd%23e%25f');
  });

  it('keeps distinct inputs distinct', () => {
    expect(toKey('a/b')).not.toBe(toKey('a%2fb'));
  });

  it('rejects what escaping cannot fix', () => {
    expect(() => toKey('')).toThrow(InvalidKeyError);
    expect(() => toKey('x'.repeat(256))).toThrow(InvalidKeyError);
    expect(() => toKey('line\nbreak')).toThrow(InvalidKeyError);
    expect(() => toKey('trailing ')).toThrow(InvalidKeyError);
  });
});

describe('readableIdOf', () => {
  it('is readable where it can be, and a fixed-length digest otherwise', () => {
    expect(readableIdOf('j', 'reminder:req-1')).toBe('j:reminder:req-1');
    expect(readableIdOf('j', 'a/b')).toBe('j:a%2fb');
    const long = 'k'.repeat(201);
    expect(readableIdOf('j', long)).toBe('j~' + digestKey(long));
    expect(readableIdOf('n', 'tab\there')).toBe('n~' + digestKey('tab\there'));
    expect(digestKey(long)).toHaveLength(32);
    expect(() => assertValidKey(readableIdOf('n', 'x'.repeat(5_000)))).not.toThrow();
  });

  it('is stable and tells different keys apart', () => {
    expect(readableIdOf('n', 'x'.repeat(300))).toBe(readableIdOf('n', 'x'.repeat(300)));
    expect(readableIdOf('n', 'x'.repeat(300))).not.toBe(readableIdOf('n', 'x'.repeat(301)));
  });

  it('rejects an empty key, naming what it is', () => {
    expect(() => readableIdOf('j', '', 'job key')).toThrow(/an empty job key/);
  });
});

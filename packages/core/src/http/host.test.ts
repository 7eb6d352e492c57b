import { describe, expect, it } from 'vitest';
import { forbiddenName, parseHost, parseUrl, portOf } from './host.ts';

describe('parseHost', () => {
  it('reads numeric hosts as addresses whatever the URL parser left', () => {
    expect(parseHost('0x7f.1')).toMatchObject({ kind: 'ip', name: '127.0.0.1' });
    expect(parseHost('[::FFFF:7f00:1]')).toMatchObject({ kind: 'ip', name: '::ffff:7f00:1' });
    expect(parseHost('API.Example.COM.')).toEqual({ kind: 'domain', name: 'api.example.com' });
  });

  it('refuses a host that ends in a number but is no address', () => {
    expect(() => parseHost('a.256.1.1.999')).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
  });
});

describe('forbiddenName', () => {
  it.each(['localhost', 'a.localhost', 'metadata.google.internal', 'metadata', 'instance-data', 'svc.cluster.local', 'nas.home.arpa', 'intranet', 'x.onion'])(
    'refuses %s',
    (name) => expect(forbiddenName(name)).toBeTypeOf('string'),
  );

  it.each(['api.example.com', 'localhost.example.com', 'internal-tools.example.org'])('lets %s be resolved', (name) => {
    expect(forbiddenName(name)).toBeUndefined();
  });
});

describe('parseUrl', () => {
  it('refuses URLs with credentials and non-URLs', () => {
    expect(() => parseUrl('http://a.example.com@127.0.0.1/')).toThrowError(expect.objectContaining({ details: { reason: 'credentials-in-url' } }));
    expect(() => parseUrl('not a url')).toThrowError(expect.objectContaining({ details: { reason: 'invalid-url' } }));
  });

  it('knows default ports', () => {
    expect([portOf(parseUrl('https://a.example.com/')), portOf(parseUrl('http://a.example.com/')), portOf(parseUrl('http://a.example.com:8080/'))]).toEqual([443, 80, 8080]);
  });
});

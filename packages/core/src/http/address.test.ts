import { describe, expect, it } from 'vitest';
import { endsInNumber, formatIp, parseIp, parseIpv4, parseIpv6 } from './address.ts';

const v4 = (text: string) => {
  const parsed = parseIpv4(text);
  return parsed ? formatIp(parsed) : undefined;
};

describe('parseIpv4 (WHATWG, every legacy spelling)', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'], ['2130706433', '127.0.0.1'], ['0x7f000001', '127.0.0.1'], ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'], ['127.1', '127.0.0.1'], ['127.0.1', '127.0.0.1'], ['017700000001', '127.0.0.1'],
    ['0x7F.0X0.0.01', '127.0.0.1'], ['127.0.0.1.', '127.0.0.1'], ['0', '0.0.0.0'], ['0x', '0.0.0.0'], ['169.254.43518', '169.254.169.254'],
    ['4294967295', '255.255.255.255'],
  ])('reads %s as %s', (text, expected) => {
    expect(v4(text)).toBe(expected);
  });

  it.each(['4294967296', '256.0.0.1', '1.2.3.4.5', '1.2.3.256', '08.0.0.1', '0x1g', '1..2', '', '1.2.3.0x100', '99999999999999999999'])('refuses %j', (text) => {
    expect(parseIpv4(text)).toBeUndefined();
  });

  it('says when a host ends in a number (and so must be an IPv4 address)', () => {
    expect([endsInNumber('a.1'), endsInNumber('a.0x1f'), endsInNumber('1.2.'), endsInNumber('a.b'), endsInNumber('1.a')]).toEqual([true, true, true, false, false]);
  });
});

describe('parseIpv6', () => {
  it.each([
    ['::1', '::1'], ['[::1]', '::1'], ['0:0:0:0:0:0:0:1', '::1'], ['::', '::'], ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['2001:DB8::8:800:200C:417A', '2001:db8::8:800:200c:417a'], ['fe80::1%eth0', 'fe80::1'], ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
  ])('reads %s as %s', (text, expected) => {
    const parsed = parseIpv6(text);
    expect(parsed && formatIp(parsed)).toBe(expected);
  });

  it('keeps the zone id, URL-escaped or not', () => {
    expect(parseIpv6('fe80::1%25eth0')?.zone).toBe('eth0');
    expect(parseIp('fe80::1%lo')?.zone).toBe('lo');
  });

  it.each(['1::2::3', ':::', '1:2:3:4:5:6:7:8:9', '12345::', '::1.2.3', '1.2.3.4::', 'g::1', '::ffff:1.2.3.256', '1:2:3:4:5:6:7:8::', '%eth0'])('refuses %j', (text) => {
    expect(parseIpv6(text)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { parseIp } from './address.ts';
import { classifyAddress } from './classify.ts';

const category = (text: string) => classifyAddress(parseIp(text)!);

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'], ['1.1.1.1', 'public'], ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'], ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'], ['172.32.0.1', 'public'], ['192.168.1.1', 'private'], ['100.64.0.1', 'cgnat'], ['100.128.0.1', 'public'],
    ['169.254.1.1', 'link-local'], ['169.254.169.254', 'metadata'], ['169.254.170.2', 'metadata'], ['100.100.100.200', 'metadata'],
    ['168.63.129.16', 'metadata'], ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'], ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'], ['240.0.0.1', 'reserved'], ['192.0.2.1', 'documentation'], ['198.18.5.5', 'reserved'],
    ['::1', 'loopback'], ['::', 'unspecified'], ['::ffff:127.0.0.1', 'loopback'], ['::ffff:8.8.8.8', 'reserved'], ['::ffff:0:10.0.0.1', 'private'],
    ['::127.0.0.1', 'loopback'], ['64:ff9b::8.8.8.8', 'public'], ['64:ff9b::169.254.169.254', 'metadata'], ['64:ff9b:1::1', 'private'],
    ['2002:7f00:1::', 'loopback'], ['2002:808:808::1', 'public'], ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'reserved'],
    ['2001:0:0a00:0001::ffff:ffff', 'private'], ['fe80::1', 'link-local'], ['fe80::1%eth0', 'link-local'], ['fc00::1', 'private'],
    ['fd00:ec2::254', 'metadata'], ['ff02::1', 'multicast'], ['2001:db8::1', 'documentation'], ['2606:4700:4700::1111', 'public'],
    ['100::1', 'reserved'], ['4000::1', 'reserved'], ['3fff::1', 'documentation'],
  ])('%s is %s', (text, expected) => {
    expect(category(text)).toBe(expected);
  });
});

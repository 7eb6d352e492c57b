/**
 * What kind of address an IP is, for the SSRF guard: only `public` addresses
 * may be reached. The tables follow the IANA special-purpose registries
 * (RFC 6890 and successors) plus the cloud metadata endpoints. IPv6 forms
 * that carry an IPv4 address (mapped, compatible, SIIT, NAT64, 6to4, Teredo)
 * are judged by the IPv4 address inside, so `::ffff:127.0.0.1`,
 * `64:ff9b::a9fe:a9fe` and `2002:7f00:1::` are as forbidden as what they wrap.
 * Anything outside 2000::/3 (global unicast) is not public.
 */
import type { IpAddress } from './address.ts';

export const ADDRESS_CATEGORIES = [
  'public', 'loopback', 'private', 'link-local', 'cgnat', 'multicast', 'broadcast',
  'reserved', 'documentation', 'unspecified', 'metadata',
] as const;

export type AddressCategory = (typeof ADDRESS_CATEGORIES)[number];

interface Range {
  /** Prefix bytes (4 or 16). */
  prefix: number[];
  bits: number;
  category: AddressCategory;
}

const v4 = (dotted: string, bits: number, category: AddressCategory): Range => ({
  prefix: dotted.split('.').map(Number),
  bits,
  category,
});

/** Most specific first: the first range that contains an address decides. */
const IPV4: Range[] = [
  // Cloud metadata: AWS/GCP/Azure/OpenStack, AWS ECS task metadata, Oracle, Alibaba, Azure wire server.
  v4('169.254.169.254', 32, 'metadata'),
  v4('169.254.170.2', 32, 'metadata'),
  v4('169.254.169.123', 32, 'metadata'),
  v4('192.0.0.192', 32, 'metadata'),
  v4('100.100.100.200', 32, 'metadata'),
  v4('168.63.129.16', 32, 'metadata'),
  v4('255.255.255.255', 32, 'broadcast'),
  v4('0.0.0.0', 8, 'unspecified'),
  v4('10.0.0.0', 8, 'private'),
  v4('100.64.0.0', 10, 'cgnat'),
  v4('127.0.0.0', 8, 'loopback'),
  v4('169.254.0.0', 16, 'link-local'),
  v4('172.16.0.0', 12, 'private'),
  v4('192.0.0.0', 24, 'reserved'),
  v4('192.0.2.0', 24, 'documentation'),
  v4('192.31.196.0', 24, 'reserved'),
  v4('192.52.193.0', 24, 'reserved'),
  v4('192.88.99.0', 24, 'reserved'),
  v4('192.168.0.0', 16, 'private'),
  v4('192.175.48.0', 24, 'reserved'),
  v4('198.18.0.0', 15, 'reserved'),
  v4('198.51.100.0', 24, 'documentation'),
  v4('203.0.113.0', 24, 'documentation'),
  v4('224.0.0.0', 4, 'multicast'),
  v4('240.0.0.0', 4, 'reserved'),
];

const v6 = (words: number[], bits: number, category: AddressCategory): Range => {
  const prefix: number[] = [];
  for (const w of words) prefix.push(w >> 8, w & 255);
  return { prefix, bits, category };
};

const IPV6: Range[] = [
  v6([0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254], 128, 'metadata'),
  v6([0, 0, 0, 0, 0, 0, 0, 0], 128, 'unspecified'),
  v6([0, 0, 0, 0, 0, 0, 0, 1], 128, 'loopback'),
  v6([0x0064, 0xff9b, 0x0001], 48, 'private'),
  v6([0x0100], 64, 'reserved'),
  v6([0x2001, 0x0db8], 32, 'documentation'),
  v6([0x3fff], 20, 'documentation'),
  v6([0x2001], 23, 'reserved'),
  v6([0x5f00], 16, 'reserved'),
  v6([0xfc00], 7, 'private'),
  v6([0xfe80], 10, 'link-local'),
  v6([0xfec0], 10, 'private'),
  v6([0xff00], 8, 'multicast'),
];

function contains(range: Range, bytes: Uint8Array): boolean {
  let bits = range.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== ((range.prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function lookup(table: Range[], bytes: Uint8Array): AddressCategory | undefined {
  return table.find((r) => contains(r, bytes))?.category;
}

function classifyV4(bytes: Uint8Array): AddressCategory {
  return lookup(IPV4, bytes) ?? 'public';
}

const isZero = (bytes: Uint8Array, from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);

/** The IPv4 address an IPv6 address carries, and whether the wrapper alone is routable. */
function embeddedV4(b: Uint8Array): { v4: Uint8Array; routable: boolean }[] {
  const w = (i: number) => (b[2 * i] << 8) | b[2 * i + 1];
  // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (SIIT), ::a.b.c.d (compatible, deprecated)
  if (isZero(b, 0, 10) && w(5) === 0xffff) return [{ v4: b.slice(12), routable: false }];
  if (isZero(b, 0, 8) && w(4) === 0xffff && w(5) === 0) return [{ v4: b.slice(12), routable: false }];
  if (isZero(b, 0, 12)) return [{ v4: b.slice(12), routable: false }];
  // 64:ff9b::/96 NAT64: reaches the IPv4 address through a translator.
  if (w(0) === 0x64 && w(1) === 0xff9b && isZero(b, 4, 12)) return [{ v4: b.slice(12), routable: true }];
  // 2002::/16 6to4: the relay's IPv4 address sits in bytes 2–5.
  if (w(0) === 0x2002) return [{ v4: b.slice(2, 6), routable: true }];
  // 2001:0::/32 Teredo: server in bytes 4–7, client obfuscated (inverted) in bytes 12–15.
  if (w(0) === 0x2001 && w(1) === 0) {
    const client = b.slice(12).map((x) => x ^ 0xff);
    return [{ v4: b.slice(4, 8), routable: false }, { v4: client, routable: false }];
  }
  return [];
}

/**
 * The category of an address. Only `public` is reachable by default; a zone id
 * marks a scoped address, which is never public.
 */
export function classifyAddress(address: IpAddress): AddressCategory {
  const { bytes } = address;
  if (address.family === 4) return classifyV4(bytes);
  if (address.zone !== undefined) return 'link-local';
  if (isZero(bytes, 0, 15) && bytes[15] <= 1) return bytes[15] === 0 ? 'unspecified' : 'loopback';
  const embedded = embeddedV4(bytes);
  for (const { v4, routable } of embedded) {
    const inner = classifyV4(v4);
    if (inner !== 'public') return inner;
    if (!routable) return 'reserved';
  }
  // A translator (NAT64, 6to4) in front of a public IPv4 address is as public as that address.
  if (embedded.length > 0) return 'public';
  const listed = lookup(IPV6, bytes);
  if (listed) return listed;
  // Global unicast is 2000::/3; everything else is unassigned or special.
  return (bytes[0] & 0xe0) === 0x20 ? 'public' : 'reserved';
}

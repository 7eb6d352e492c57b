/**
 * IP address parsing for the SSRF guard. IPv4 follows the WHATWG URL "IPv4
 * parser", so every legacy spelling a URL parser or `inet_aton` accepts —
 * decimal `2130706433`, octal `0177.0.0.1`, hex `0x7f.1`, short forms `127.1`
 * — parses to the same four bytes. IPv6 accepts `::` compression, a dotted
 * IPv4 tail and a zone id (`fe80::1%eth0`, `%25` as in URLs), which is kept
 * apart because it only ever names a scoped (link-local) address.
 * We parse ourselves rather than trust whichever URL parser the host has, so
 * the guard and the resolver's answers go through one definition.
 */

export interface IpAddress {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
  /** Zone id of a scoped IPv6 address (`eth0`), if one was written. */
  zone?: string;
}

/**
 * True when the WHATWG "ends in a number" rule makes `host` an IPv4 address:
 * then it must parse as one, or the URL is invalid (never a domain name).
 */
export function endsInNumber(host: string): boolean {
  const parts = host.split('.');
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
  const last = parts[parts.length - 1] ?? '';
  if (last !== '' && /^[0-9]+$/.test(last)) return true;
  return /^0[xX][0-9a-fA-F]*$/.test(last);
}

/** Parses one IPv4 part: `0x..` hex, leading-zero octal, else decimal. */
function ipv4Number(part: string): number | undefined {
  if (part === '') return undefined;
  let radix = 10;
  let digits = part;
  if (/^0[xX]/.test(part)) {
    radix = 16;
    digits = part.slice(2);
    if (digits === '') return 0;
  } else if (part.length > 1 && part.startsWith('0')) {
    radix = 8;
    digits = part.slice(1);
  }
  const valid = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return undefined;
  // Anything past 2^53 is far above 2^32 and so invalid; Infinity keeps it out of the range checks.
  const value = parseInt(digits, radix);
  return Number.isSafeInteger(value) ? value : Infinity;
}

/** The WHATWG IPv4 parser; `undefined` when `host` is not a valid IPv4 address in any spelling. */
export function parseIpv4(host: string): IpAddress | undefined {
  const parts = host.split('.');
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
  if (parts.length > 4 || parts.length === 0) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    const n = ipv4Number(part);
    if (n === undefined) return undefined;
    numbers.push(n);
  }
  const last = numbers.pop()!;
  if (numbers.some((n) => n > 255)) return undefined;
  if (last >= 256 ** (5 - parts.length)) return undefined;
  let value = last;
  numbers.forEach((n, i) => {
    value += n * 256 ** (3 - i);
  });
  const bytes = new Uint8Array([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]);
  return { family: 4, bytes };
}

/** Strict dotted-quad IPv4 (what may follow an IPv6 prefix): four decimal parts 0–255, no leading zeros games. */
function parseDottedQuad(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** Parses an IPv6 address (brackets optional, zone id `%eth0` or `%25eth0` allowed). */
export function parseIpv6(input: string): IpAddress | undefined {
  let text = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  let zone: string | undefined;
  const percent = text.indexOf('%');
  if (percent >= 0) {
    zone = text.slice(percent + 1).replace(/^25/, '');
    text = text.slice(0, percent);
    if (zone === '') return undefined;
  }
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (piece.includes('.')) {
        if (i !== pieces.length - 1) return undefined;
        const quad = parseDottedQuad(piece);
        if (!quad) return undefined;
        out.push((quad[0] << 8) | quad[1], (quad[2] << 8) | quad[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
        out.push(parseInt(piece, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  // A dotted tail is only allowed at the very end.
  if (halves.length === 2 && halves[0].includes('.')) return undefined;
  let words: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    words = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    words = head;
  }
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 255;
  });
  return zone === undefined ? { family: 6, bytes } : { family: 6, bytes, zone };
}

/** Parses an address as a resolver or a URL host writes it: IPv4 (any legacy spelling) or IPv6. */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':') || text.startsWith('[')) return parseIpv6(text);
  return parseIpv4(text);
}

/** Canonical text of an address: dotted quad, or RFC 5952 IPv6 (zone id dropped). */
export function formatIp(address: IpAddress): string {
  const b = address.bytes;
  if (address.family === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i] << 8) | b[i + 1]);
  // Longest run of two or more zero words becomes '::' (first one on ties).
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (best < 0) return hex(words);
  return `${hex(words.slice(0, best))}::${hex(words.slice(best + bestLength))}`;
}

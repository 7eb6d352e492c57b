/**
 * Adversarial SSRF suite against real listeners on 127.0.0.1: every spelling
 * of a private, loopback, link-local or metadata address, every rebinding
 * answer and every redirect into the private network must be refused before
 * a connection is made — the listeners must count zero forbidden requests.
 * Requests go through the real Node transport, so a guard failure would be
 * a real connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpCapability, type EgressPolicyInput, type Resolve } from '../../packages/core/src/http/index.ts';
import type { CallContext, HttpRequest } from '../../packages/core/src/runtime/index.ts';
import { nodeTransport } from '../../packages/node/src/http/index.ts';
import { AgentOsError } from '../../packages/sandbox/src/errors/index.ts';
import { listen, type Listener } from './listeners.ts';

const context: CallContext = { agentId: 'a1', tenant: 'acme', agentType: 'prober', workspaceId: 'a1' };
const ALL_METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'] as const;

/** The "internet" as the injected resolver sees it: public-looking names that point inside. */
const DNS: Record<string, string[]> = {
  'rebind.example.com': ['127.0.0.1'],
  'mixed.example.com': ['93.184.216.34', '127.0.0.1'],
  'mapped.example.com': ['::ffff:127.0.0.1'],
  'meta.example.com': ['169.254.169.254'],
  'zero.example.com': ['0.0.0.0'],
  'v6loop.example.com': ['::1'],
  'linklocal.example.com': ['fe80::1%lo'],
  'public.example.com': ['127.0.0.1'],
};
const resolved: string[] = [];
const resolve: Resolve = async (host) => {
  resolved.push(host);
  const answer = DNS[host];
  if (!answer) throw new Error(`ENOTFOUND ${host}`);
  return answer;
};

let victim: Listener;
let redirector: Listener;

beforeAll(async () => {
  victim = await listen();
  redirector = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/to') {
      res.statusCode = Number(url.searchParams.get('status') ?? 302);
      res.setHeader('location', url.searchParams.get('target') ?? '/');
      res.end();
    } else if (url.pathname === '/loop') {
      res.statusCode = 302;
      res.setHeader('location', '/loop');
      res.end();
    } else res.end(`final ${req.method}`);
  });
});
afterAll(async () => {
  await victim.close();
  await redirector.close();
});

async function refusal(promise: Promise<unknown>): Promise<AgentOsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AgentOsError) return error;
    throw error;
  }
  throw new Error('the request was not refused');
}

function get(url: string, method: HttpRequest['method'] = 'get'): HttpRequest {
  return { method, url, headers: [] };
}

/** Spellings of forbidden destinations; `{P}` is the victim's port. */
const SPELLINGS = [
  '127.0.0.1:{P}', '127.1:{P}', '127.0.1:{P}', '2130706433:{P}', '0x7f000001:{P}', '0x7f.1:{P}', '0x7F.0.0.1:{P}', '0177.0.0.1:{P}',
  '0177.1:{P}', '017700000001:{P}', '127.000.000.001:{P}', '0x7f.0x0.0x0.0x1:{P}', '127.0.0.1.:{P}', '%31%32%37.0.0.1:{P}', '１２７.０.０.１:{P}',
  '127。0。0。1:{P}', '127.255.255.254:{P}', '0.0.0.0:{P}', '0:{P}', '0x0:{P}', '00:{P}', '[::]:{P}', '[::1]:{P}', '[0:0:0:0:0:0:0:1]:{P}',
  '[0000:0000:0000:0000:0000:0000:0000:0001]:{P}', '[::ffff:127.0.0.1]:{P}', '[::ffff:7f00:1]:{P}', '[0:0:0:0:0:ffff:127.0.0.1]:{P}',
  '[::127.0.0.1]:{P}', '[::ffff:0:127.0.0.1]:{P}', '[64:ff9b::127.0.0.1]:{P}', '[64:ff9b:1::1]:{P}', '[2002:7f00:1::]:{P}',
  '[2001:0:4136:e378:8000:63bf:80ff:fffe]:{P}', '[fe80::1]:{P}', '[fc00::1]:{P}', '[fd12:3456::1]:{P}', '[fec0::1]:{P}', '[ff02::1]:{P}',
  '[100::1]:{P}', '[2001:db8::1]:{P}', '[fd00:ec2::254]', '169.254.169.254', '0xa9fea9fe', '2852039166', '0251.0376.0251.0376', '169.254.43518',
  '[::ffff:169.254.169.254]', '[::ffff:a9fe:a9fe]', '[64:ff9b::a9fe:a9fe]', '169.254.170.2', '100.100.100.200', '192.0.0.192', '168.63.129.16',
  '10.0.0.1:{P}', '012.0.0.1:{P}', '167772161:{P}', '172.16.0.1:{P}', '172.31.255.255:{P}', '192.168.0.1:{P}', '0xc0a80001:{P}', '100.64.0.1:{P}',
  '224.0.0.1:{P}', '239.255.255.250:{P}', '255.255.255.255:{P}', '240.0.0.1:{P}', '198.18.0.1:{P}', '192.0.2.1:{P}', '192.88.99.1:{P}',
  'localhost:{P}', 'LOCALHOST:{P}', 'localhost.:{P}', 'LocalHost.:{P}', 'sub.localhost:{P}', 'ⓛⓞⓒⓐⓛⓗⓞⓢⓣ:{P}', 'localhost.localdomain:{P}',
  'ip6-localhost:{P}', 'metadata.google.internal', 'METADATA.GOOGLE.INTERNAL.', 'metadata', 'metadata.goog', 'instance-data',
  'instance-data.ec2.internal', 'kubernetes.default.svc.cluster.local:{P}', 'printer.local:{P}', 'router.home.arpa:{P}', 'intranet:{P}',
  'rebind.example.com:{P}', 'mixed.example.com:{P}', 'mapped.example.com:{P}', 'meta.example.com', 'zero.example.com:{P}',
  'v6loop.example.com:{P}', 'linklocal.example.com:{P}',
];

describe('the SSRF guard refuses every spelling before connecting', () => {
  it('refuses each spelling even when the allowlist names that exact host, and the listener counts zero requests', async () => {
    const urls = SPELLINGS.map((s) => `http://${s.replace('{P}', String(victim.port))}/probe`);
    // A policy that allows every one of these hosts by name: only the address checks stand in the way.
    const allow = urls.map((u) => {
      const url = new URL(u);
      return { host: url.hostname.toLowerCase().replace(/\.$/, ''), schemes: ['http' as const], ports: [url.port === '' ? 80 : Number(url.port)], methods: [...ALL_METHODS] };
    });
    const http = createHttpCapability({ policy: { allow }, resolve, transport: nodeTransport() });
    const outcomes: string[] = [];
    for (const url of urls) {
      for (const method of ['get', 'post'] as const) {
        const error = await refusal(Promise.resolve(http.fetch({ ...get(url, method), body: method === 'post' ? new Uint8Array([1]) : undefined }, context)));
        outcomes.push(`${url} ${error.code} ${String(error.details?.reason)}`);
        expect(['policy-denied', 'invalid-argument'], `${url}: ${error.message}`).toContain(error.code);
        expect(['private-address', 'forbidden-hostname', 'invalid-host'], url).toContain(error.details?.reason);
      }
    }
    expect(outcomes).toHaveLength(SPELLINGS.length * 2);
    expect(victim.seen).toEqual([]);
  });

  it('refuses them with an allowlist that does not name them, and URL tricks that smuggle a private host past an allowed name', async () => {
    const http = createHttpCapability({
      policy: { allow: [{ host: 'api.example.com', schemes: ['http', 'https'], ports: [80, 443, victim.port] }] },
      resolve,
      transport: nodeTransport(),
    });
    const P = victim.port;
    const tricks = [
      `http://api.example.com@127.0.0.1:${P}/`, `http://api.example.com:x@127.0.0.1:${P}/`, `http://127.0.0.1:${P}#@api.example.com/`,
      `http://127.0.0.1:${P}\\@api.example.com/`, `http://127.0.0.1:${P}/api.example.com`, `http://127.0.0.1:${P}?api.example.com`,
      `http://api.example.com.127.0.0.1.nip.io:${P}/`, `http://[::1]:${P}/#api.example.com`, `ftp://api.example.com/`, `file:///etc/passwd`,
      `gopher://127.0.0.1:${P}/_GET%20/`, `http://api.example.com:22/`, `http:/127.0.0.1:${P}/`, `http:\\\\127.0.0.1:${P}\\`,
      `http://0x7f.1:${P}/`, `http://apiXexample.com:${P}/`, `http://api.example.com.evil.com:${P}/`,
    ];
    for (const url of [...tricks, ...SPELLINGS.map((s) => `http://${s.replace('{P}', String(P))}/`)]) {
      const error = await refusal(Promise.resolve(http.fetch(get(url), context)));
      expect(['policy-denied', 'invalid-argument'], `${url}: ${error.message}`).toContain(error.code);
    }
    expect(victim.seen).toEqual([]);
  });

  it('checks every address a name resolves to: one private answer among public ones is enough to refuse', async () => {
    const http = createHttpCapability({ policy: { allow: [{ host: '*.example.com', schemes: ['http'], ports: [victim.port] }] }, resolve, transport: nodeTransport() });
    const error = await refusal(Promise.resolve(http.fetch(get(`http://mixed.example.com:${victim.port}/`), context)));
    expect(error.details).toMatchObject({ reason: 'private-address', category: 'loopback', address: '127.0.0.1' });
    expect(victim.seen).toEqual([]);
  });
});

describe('redirects are re-checked at every hop', () => {
  const policy = (): EgressPolicyInput => ({
    allow: ['public.example.com', 'rebind.example.com', 'meta.example.com', '127.0.0.1', '[::1]', '169.254.169.254', 'localhost'].map((host) => ({
      host, schemes: ['http' as const], ports: [80, redirector.port, victim.port], methods: [...ALL_METHODS],
    })),
    maxRedirects: 3,
  });
  // The redirector is "public" for this suite: only its exact socket is exempt, the victim's is not.
  const capability = () =>
    createHttpCapability({ policy: policy(), resolve, transport: nodeTransport(), allowPrivateAddresses: [`127.0.0.1:${redirector.port}`] });

  it('refuses a redirect to 127.0.0.1, [::1], 169.254.169.254, other spellings and rebinding names, and the victim sees nothing', async () => {
    const P = victim.port;
    const targets = [
      `http://127.0.0.1:${P}/`, `http://[::1]:${P}/`, 'http://169.254.169.254/latest/meta-data/', `http://0x7f.1:${P}/`, `http://2130706433:${P}/`,
      `http://[::ffff:127.0.0.1]:${P}/`, `http://rebind.example.com:${P}/`, 'http://meta.example.com/', `http://localhost:${P}/`,
      'file:///etc/passwd', `gopher://127.0.0.1:${P}/`,
    ];
    const http = capability();
    for (const status of [301, 302, 303, 307, 308]) {
      for (const target of targets) {
        const url = `http://public.example.com:${redirector.port}/to?status=${status}&target=${encodeURIComponent(target)}`;
        const error = await refusal(Promise.resolve(http.fetch(get(url, 'post'), context)));
        expect(['policy-denied', 'invalid-argument'], `${status} → ${target}: ${error.message}`).toContain(error.code);
      }
    }
    expect(redirector.seen.length).toBeGreaterThanOrEqual(targets.length * 5);
    expect(victim.seen).toEqual([]);
  });

  it('stops a redirect loop at the hop cap with limit-exceeded', async () => {
    const before = redirector.seen.length;
    const error = await refusal(Promise.resolve(capability().fetch(get(`http://public.example.com:${redirector.port}/loop`), context)));
    expect(error.code).toBe('limit-exceeded');
    expect(error.details).toMatchObject({ reason: 'too-many-redirects', limit: 3 });
    expect(redirector.seen.length - before).toBe(4);
  });

  it('follows an allowed redirect, turning a POST into a GET on 303 and keeping it on 307', async () => {
    const http = capability();
    const via = (status: number) => `http://public.example.com:${redirector.port}/to?status=${status}&target=%2Fdone`;
    const seeOther = await http.fetch({ method: 'post', url: via(303), headers: [], body: new TextEncoder().encode('x') }, context);
    const temporary = await http.fetch({ method: 'post', url: via(307), headers: [], body: new TextEncoder().encode('x') }, context);
    expect(new TextDecoder().decode(seeOther.body)).toBe('final GET');
    expect(new TextDecoder().decode(temporary.body)).toBe('final POST');
    expect(redirector.seen.at(-1)).toMatchObject({ method: 'POST', url: '/done', body: 'x' });
  });
});

describe('the Node transport connects only to the checked address', () => {
  it('connects to the address the guard resolved, not to a second lookup (the name does not exist in system DNS)', async () => {
    const target = await listen((_req, res) => res.end('pinned'));
    try {
      const http = createHttpCapability({
        policy: { allow: [{ host: 'public.example.com', schemes: ['http'], ports: [target.port] }] },
        resolve, transport: nodeTransport(), allowPrivateAddresses: [`127.0.0.1:${target.port}`],
      });
      const lookups = resolved.length;
      const response = await http.fetch(get(`http://public.example.com:${target.port}/x`), context);
      expect(new TextDecoder().decode(response.body)).toBe('pinned');
      expect(resolved.length - lookups).toBe(1);
      expect(target.seen[0].headers.host).toBe(`public.example.com:${target.port}`);
    } finally {
      await target.close();
    }
  });

  it('refuses to connect to a host name it was given no checked address for', async () => {
    const transport = nodeTransport();
    const error = await refusal(transport({ url: `http://localhost:${victim.port}/`, method: 'GET', headers: [], signal: new AbortController().signal }));
    expect(error.details?.reason).toBe('unpinned');
    expect(victim.seen).toEqual([]);
  });
});

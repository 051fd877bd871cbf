import dns from 'node:dns/promises';
import fs from 'node:fs';
import net from 'node:net';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ipaddr from 'ipaddr.js';
import { Agent, request } from 'undici';

/** A URL import refused or failed for a reason the user should read. */
export class ImportError extends Error {
  override name = 'ImportError';
}

/** Resolves a host name to its addresses (replaceable in tests, which may not use real DNS). */
export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) => (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Limits and allowances of one import. */
export interface FetchPolicy {
  maxBytes: number;
  timeoutMs: number;
  /** Host names that may resolve to non-public addresses (tests only). */
  allowHosts: string[];
  resolve?: Resolver;
}

const MAX_REDIRECTS = 5;

/** True for an ordinary public unicast address; false for loopback, private, link-local, multicast, reserved… */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  // IPv4-compatible IPv6 (::a.b.c.d, deprecated) could smuggle any IPv4 address: refuse the whole ::/96.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0)) return false;
  return parsed.range() === 'unicast';
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Checks scheme and host of one URL; resolves names and refuses any non-public address. Returns the address to connect to. */
export async function checkTarget(url: URL, policy: Pick<FetchPolicy, 'allowHosts' | 'resolve'>): Promise<string> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ImportError('only http and https URLs can be imported');
  if (url.username || url.password) throw new ImportError('URLs with credentials are not accepted');
  const host = hostOf(url);
  const allowed = policy.allowHosts.includes(host);
  const addresses = net.isIP(host)
    ? [host]
    : await (policy.resolve ?? systemResolver)(host).catch(() => {
        throw new ImportError(`the host ${host} could not be resolved`);
      });
  if (addresses.length === 0) throw new ImportError(`the host ${host} could not be resolved`);
  if (!allowed && !addresses.every(isPublicAddress)) {
    throw new ImportError(`the host ${host} resolves to a non-public address; only public addresses can be imported from`);
  }
  return addresses[0]!;
}

/**
 * Downloads a URL to a file: every hop (redirects included) is checked after
 * DNS resolution and the connection goes to the checked address, so a name
 * cannot be re-pointed between check and connect. Size and time are limited.
 */
export async function downloadTo(startUrl: string, file: string, policy: FetchPolicy, signal: AbortSignal): Promise<void> {
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(policy.timeoutMs)]);
  let url = new URL(startUrl);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const address = await checkTarget(url, policy);
    const family = net.isIPv6(address) ? 6 : 4;
    const agent = new Agent({
      connect: {
        // Connect to the address that was checked, never to a fresh resolution of the name.
        lookup: ((_host: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) =>
          opts.all ? callback(null, [{ address, family }]) : callback(null, address, family)) as never, // one function for dns.lookup's overloads, which no single signature satisfies
      },
    });
    try {
      const response = await request(url, { dispatcher: agent, signal: deadline, headers: { 'user-agent': 'Aula media import' } });
      if (response.statusCode >= 300 && response.statusCode < 400 && response.headers.location) {
        await response.body.dump();
        url = new URL(String(response.headers.location), url);
        continue;
      }
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new ImportError(`the URL answered HTTP ${response.statusCode}`);
      }
      const declared = Number(response.headers['content-length'] ?? 0);
      if (declared > policy.maxBytes) {
        await response.body.dump();
        throw new ImportError(`the file is larger than ${policy.maxBytes} bytes`);
      }
      let seen = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _enc, done) {
          seen += chunk.length;
          done(seen > policy.maxBytes ? new ImportError(`the file is larger than ${policy.maxBytes} bytes`) : null, chunk);
        },
      });
      await pipeline(response.body, limit, fs.createWriteStream(file), { signal: deadline });
      return;
    } catch (error) {
      if (error instanceof ImportError || signal.aborted) throw error;
      if (deadline.aborted) throw new ImportError(`the download took longer than ${Math.round(policy.timeoutMs / 1000)} s`);
      throw new ImportError(`the download failed: ${(error as Error).message}`);
    } finally {
      await agent.close();
    }
  }
  throw new ImportError(`more than ${MAX_REDIRECTS} redirects`);
}

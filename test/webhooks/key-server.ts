/**
 * A JWKS served over real HTTP for the receiver tests, with the signing side of each scheme:
 * Ed25519 keys (`v1a` signatures over `<id>.<timestamp>.<body>`), an RSA key (RS256 JWTs signed
 * with jose), and a fetch counter to see when the receiver refetched the set.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';

export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

export function ed25519Key(kid = `ed-${randomBytes(4).toString('hex')}`): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { kid, privateKey, jwk: { ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid, use: 'sig' } };
}

export function rsaKey(kid = `rsa-${randomBytes(4).toString('hex')}`): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid, alg: 'RS256', use: 'sig' } };
}

export class KeyServer {
  keys: TestKey[] = [];
  fetches = 0;
  /** Answer 503 instead of the set (an outage of the key host). */
  down = false;
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((_req, res) => {
      this.fetches++;
      if (this.down) return void res.writeHead(503).end();
      const body = JSON.stringify({ keys: this.keys.map((k) => k.jwk) });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Standard Webhooks headers of a `v1a` delivery signed with `key` (several keys: several signatures). */
export function v1aHeaders(body: string, keys: TestKey[], opts: { id?: string; at?: Date } = {}): Record<string, string> {
  const id = opts.id ?? `msg_${randomUUID()}`;
  const ts = String(Math.floor((opts.at ?? new Date()).getTime() / 1000));
  const signatures = keys.map((k) => `v1a,${sign(null, Buffer.from(`${id}.${ts}.${body}`), k.privateKey).toString('base64')}`);
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': signatures.join(' ') };
}

/** Headers of a delivery whose `webhook-signature` is a JWT (the documented form), signed with jose. */
export async function jwtHeaders(key: TestKey, claims: Record<string, unknown>, opts: { id?: string; at?: Date; alg?: string } = {}): Promise<Record<string, string>> {
  const jose = await import('jose');
  const id = opts.id ?? `msg_${randomUUID()}`;
  const at = opts.at ?? new Date();
  const ts = Math.floor(at.getTime() / 1000);
  const jwt = await new jose.SignJWT({ jti: id, ...claims })
    .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: key.kid })
    .setIssuedAt(ts)
    .setExpirationTime(ts + 300)
    .sign(key.privateKey);
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': jwt };
}

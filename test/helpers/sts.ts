import { createHash, createPublicKey, constants, verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { CertFiles } from './certs';

/** What a client credential proves itself with: the certificate it signs with, or a federated (workload) token. */
export type Proof = { certificate: string } | { federatedToken: string };

export interface LocalSts {
  /** https://localhost:port, the authority host the credentials are pointed at. */
  authorityHost: string;
  /** Every request, method and path, in order. */
  requests: string[];
  /** Why the last token request was refused, if it was. */
  refused?: string;
  close(): Promise<void>;
}

const b64url = (b: Buffer) => b.toString('base64url');

/** Checks a client assertion JWT the way Entra does: signed by the registered certificate, for this endpoint. */
function certificateAssertion(jwt: string, certificatePem: string, clientId: string, tokenUrl: string): string | undefined {
  const [head, body, sig] = jwt.split('.');
  if (!sig) return 'not a JWT';
  const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg: string; x5t?: string; 'x5t#S256'?: string };
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { aud: string; iss: string; sub: string; exp: number };
  const cert = new X509Certificate(certificatePem);
  const thumbprints = [b64url(createHash('sha1').update(cert.raw).digest()), b64url(createHash('sha256').update(cert.raw).digest())];
  if (![header.x5t, header['x5t#S256']].some((t) => t && thumbprints.includes(t))) return 'unknown certificate thumbprint';
  const key = createPublicKey(certificatePem);
  const signed = Buffer.from(`${head}.${body}`);
  const ok = header.alg === 'PS256'
    ? verify('sha256', signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(sig, 'base64url'))
    : header.alg === 'RS256' && verify('sha256', signed, key, Buffer.from(sig, 'base64url'));
  if (!ok) return `bad ${header.alg} signature`;
  if (claims.iss !== clientId || claims.sub !== clientId) return 'issuer is not the client';
  if (claims.aud !== tokenUrl) return `audience ${claims.aud}`;
  if (claims.exp * 1000 < Date.now()) return 'expired assertion';
  return undefined;
}

/**
 * A Microsoft Entra token endpoint on loopback, over HTTPS with the test CA: it serves the
 * tenant's OpenID metadata and answers client_credentials requests whose client assertion proves
 * `proof`, with `accessToken`. Nothing leaves the machine.
 */
export async function startLocalSts(tls: CertFiles, tenantId: string, clientId: string, proof: Proof, accessToken: string): Promise<LocalSts> {
  const sts: LocalSts = { authorityHost: '', requests: [], close: async () => undefined };
  const server: Server = createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      sts.requests.push(`${req.method} ${path}`);
      const base = `${sts.authorityHost}/${tenantId}`;
      const json = (status: number, body: object): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (path === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
        return json(200, {
          issuer: `${base}/v2.0`, authorization_endpoint: `${base}/oauth2/v2.0/authorize`, token_endpoint: `${base}/oauth2/v2.0/token`,
          jwks_uri: `${base}/discovery/v2.0/keys`, end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        });
      }
      if (req.method === 'POST' && path === `/${tenantId}/oauth2/v2.0/token`) {
        const form = new URLSearchParams(Buffer.concat(chunks).toString());
        const assertion = form.get('client_assertion') ?? '';
        sts.refused = form.get('client_id') !== clientId
          ? 'unknown client'
          : 'certificate' in proof
            ? certificateAssertion(assertion, proof.certificate, clientId, `${base}/oauth2/v2.0/token`)
            : assertion === proof.federatedToken ? undefined : 'the federated token is not the one this identity trusts';
        if (sts.refused) return json(401, { error: 'invalid_client', error_description: `AADSTS700027: ${sts.refused}` });
        return json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
      }
      json(404, { error: 'not_found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sts.authorityHost = `https://localhost:${(server.address() as { port: number }).port}`;
  sts.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return sts;
}

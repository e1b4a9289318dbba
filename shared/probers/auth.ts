import { createHash } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import type { ConnectionAuthentication } from 'tedious';
import { readSecret, tokenScope, type Env, type Target } from '../config';
import { identity } from './drivers';
import { certificateCredential, workloadCredential } from './identities';
import type { ProbeOptions } from './prober';

/**
 * One TokenCredential per identity for the life of the process: the credential caches its token,
 * so probes every few minutes reuse it instead of asking Entra ID each time.
 */
const credentials = new Map<string, TokenCredential>();

function cached(key: string, create: () => TokenCredential): TokenCredential {
  let credential = credentials.get(key);
  if (!credential) {
    credential = create();
    credentials.set(key, credential);
  }
  return credential;
}

/**
 * The client id of the managed identity a target logs in with: its own `clientId`, else the app's
 * AZURE_CLIENT_ID (the deployed app has only a user-assigned identity, named there), else none for
 * the system-assigned identity. ManagedIdentityCredential itself never reads AZURE_CLIENT_ID.
 */
export function managedIdentityClientId(auth: { clientId?: string }, env: Env): string | undefined {
  return auth.clientId ?? (env.AZURE_CLIENT_ID || undefined);
}

/** The shared credential for a managed-identity, service-principal or workload-identity target; undefined for other auth. */
export function credentialFor(target: Target, env: Env): TokenCredential | undefined {
  const auth = target.auth;
  if (auth.type === 'managed-identity') {
    const clientId = managedIdentityClientId(auth, env);
    return cached(`mi:${clientId ?? 'system'}`, () => new (identity().ManagedIdentityCredential)(clientId ? { clientId } : {}));
  }
  if (auth.type === 'service-principal' && auth.secretSetting) {
    // Keyed by the setting too: rotating to a new setting gets a fresh credential.
    const secret = readSecret(auth.secretSetting, env);
    return cached(`sp:${auth.tenantId}:${auth.clientId}:${auth.secretSetting}`, () => new (identity().ClientSecretCredential)(auth.tenantId, auth.clientId, secret));
  }
  if (auth.type === 'service-principal' && auth.certificateSetting) {
    const setting = auth.certificateSetting;
    const pem = readSecret(setting, env);
    // Keyed by the certificate itself, so a renewed certificate in the same setting gets a fresh credential.
    return cached(`spc:${auth.tenantId}:${auth.clientId}:${env.AZURE_AUTHORITY_HOST}:${createHash('sha256').update(pem).digest('hex')}`, () => certificateCredential(auth.tenantId, auth.clientId, setting, pem, env));
  }
  if (auth.type === 'workload-identity') {
    // Keyed by everything that makes it: a setting left unset never reuses a credential made before.
    const key = [auth.tenantId ?? env.AZURE_TENANT_ID, auth.clientId ?? env.AZURE_CLIENT_ID, env.AZURE_FEDERATED_TOKEN_FILE, env.AZURE_AUTHORITY_HOST].join('|');
    return cached(`wi:${key}`, () => workloadCredential(auth, env));
  }
  return undefined;
}

/** Asks the shared credential for a token; a failure carries tedious's EFEDAUTH code so it classifies as auth-token-failed. */
async function fetchToken(credential: TokenCredential, server: string, signal: AbortSignal): Promise<string> {
  try {
    const token = await credential.getToken(tokenScope(server), { abortSignal: signal });
    if (!token) throw new Error('the credential returned no token');
    return token.token;
  } catch (err) {
    if (signal.aborted) throw err;
    // Worded so the redactor's "token: <value>" pattern does not swallow the error code that follows.
    throw Object.assign(new Error(`no Microsoft Entra token was issued (${(err as Error).message})`, { cause: err }), { code: 'EFEDAUTH' });
  }
}

/**
 * tedious's authentication block for the target. Secrets come from their settings (ConfigError when
 * unset). For an identity the token is fetched here, from the shared credential, and handed over as
 * an access token: the login needs no FEDAUTHINFO round trip, and a token failure is told apart.
 */
export async function authenticationFor(target: Target, options: ProbeOptions, signal: AbortSignal): Promise<ConnectionAuthentication> {
  const { env } = options;
  const auth = target.auth;
  switch (auth.type) {
    case 'sql':
      return { type: 'default', options: { userName: auth.user, password: readSecret(auth.passwordSetting, env) } };
    case 'access-token':
      return { type: 'azure-active-directory-access-token', options: { token: readSecret(auth.tokenSetting, env) } };
    case 'managed-identity':
    case 'service-principal':
    case 'workload-identity': {
      const credential = options.credentialFor?.(target) ?? credentialFor(target, env);
      if (!credential) throw new Error(`no credential for ${auth.type}`);
      return { type: 'azure-active-directory-access-token', options: { token: await fetchToken(credential, target.server, signal) } };
    }
    case 'none':
      return { type: 'default', options: { userName: '', password: '' } };
    case 'ntlm':
      return { type: 'ntlm', options: { domain: auth.domain, userName: auth.user, password: readSecret(auth.passwordSetting, env) } };
  }
}

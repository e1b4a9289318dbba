import type { TokenCredential } from '@azure/identity';
import { identity } from './drivers';
import type { Env } from '../config';

/** A token failure of ours, worded with the fix; tedious's EFEDAUTH code makes it auth-token-failed. */
const tokenFailure = (message: string): Error => Object.assign(new Error(message), { code: 'EFEDAUTH' });

/**
 * A sovereign or private Microsoft Entra authority, named by AZURE_AUTHORITY_HOST. Such an authority
 * answers its own metadata, so MSAL's instance discovery (a question to login.microsoftonline.com)
 * is skipped for it.
 */
export function authorityOptions(env: Env): { authorityHost?: string; disableInstanceDiscovery?: boolean } {
  const host = env.AZURE_AUTHORITY_HOST;
  return host ? { authorityHost: host, disableInstanceDiscovery: true } : {};
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
const PRIVATE_KEY = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

/**
 * A service principal that proves itself with a certificate: the setting holds the PEM certificate
 * and its private key (a Key Vault certificate whose content type is application/x-pem-file).
 */
export function certificateCredential(tenantId: string, clientId: string, setting: string, pem: string, env: Env): TokenCredential {
  if (!CERTIFICATE.test(pem) || !PRIVATE_KEY.test(pem)) {
    throw tokenFailure(`app setting ${setting} does not hold a PEM certificate with its private key; store both in it (in Key Vault, a certificate with content type application/x-pem-file)`);
  }
  return new (identity().ClientCertificateCredential)(tenantId, clientId, { certificate: pem }, authorityOptions(env));
}

/**
 * Microsoft Entra Workload ID on Kubernetes: the workload identity webhook mounts a service-account
 * token and sets AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID; a target's own
 * clientId and tenantId win over the last two.
 */
export function workloadCredential(auth: { clientId?: string; tenantId?: string }, env: Env): TokenCredential {
  const clientId = auth.clientId ?? (env.AZURE_CLIENT_ID || undefined);
  const tenantId = auth.tenantId ?? (env.AZURE_TENANT_ID || undefined);
  const tokenFilePath = env.AZURE_FEDERATED_TOKEN_FILE || undefined;
  const missing = [!clientId && 'AZURE_CLIENT_ID (or auth.clientId)', !tenantId && 'AZURE_TENANT_ID (or auth.tenantId)', !tokenFilePath && 'AZURE_FEDERATED_TOKEN_FILE'].filter(Boolean);
  if (missing.length) {
    throw tokenFailure(`workload identity needs ${missing.join(', ')}; the AKS workload identity webhook sets them for a pod labelled azure.workload.identity/use: "true" whose service account names the identity`);
  }
  return new (identity().WorkloadIdentityCredential)({ clientId, tenantId, tokenFilePath, ...authorityOptions(env) });
}

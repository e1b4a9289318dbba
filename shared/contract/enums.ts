import { z } from 'zod';

/** The connection policy a login took: through the gateway (Proxy) or routed to the node (Redirect). */
export const POLICIES = ['proxy', 'redirect'] as const;
export const policySchema = z.enum(POLICIES, { error: 'expected "proxy" or "redirect"' });
export type Policy = z.infer<typeof policySchema>;

/** TCP keepalive on a held connection: on (as drivers leave it) or off (as a driver without it). */
export const KEEPALIVE_VARIANTS = ['on', 'off'] as const;
export const keepaliveVariant = z.enum(KEEPALIVE_VARIANTS, { error: 'expected "on" or "off"' });
export type KeepaliveVariant = z.infer<typeof keepaliveVariant>;

/** A host and port: where a redirect sent the login. */
export const endpointSchema = z.object({ host: z.string(), port: z.int() });
export type Endpoint = z.infer<typeof endpointSchema>;

/** A GUID in its 8-4-4-4-12 form, either case (client IDs, tenant IDs, instrumentation keys). */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const guidSchema = (hint = 'expected a GUID such as "00000000-0000-0000-0000-000000000000"') =>
  z.string({ error: hint }).regex(GUID_PATTERN, hint);

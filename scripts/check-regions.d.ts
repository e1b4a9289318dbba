/** The regions a deployment with this environment probes from, as ARM names them. */
export function regionsFromEnv(env: Record<string, string | undefined>): string[];
/** The regions of env that do not offer Flex Consumption; throws when the check cannot run. */
export function unsupportedRegions(env?: Record<string, string | undefined>): { regions: string[]; missing: string[]; offered: string[] };

import { listTargets } from '../../shared/app';
import { json, withRuntime, type RuntimeSource } from './http';

/** `GET /api/targets`: the configured targets without secrets, with their latest results and verdicts. */
export const targetsHandler = (source: RuntimeSource) => withRuntime(source, async (rt) => json(200, await listTargets(rt)));

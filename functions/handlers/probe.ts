import { z } from 'zod';
import { adHocServerSchema, adHocTarget, hostAllowed, HTTP_AD_HOC, onDemandProbesSchema, probeTarget, refuseOnDemandLogin, roundProbesOf } from '../../shared/app';
import { loginProblem, targetName, type Target } from '../../shared/config';
import { json, readBody, withRuntime, type RuntimeSource } from './http';

/** The answer must leave well inside the 230 s HTTP limit, flush included. */
export const HTTP_ROUND_BUDGET_MS = 150_000;

const probes = onDemandProbesSchema('idle runs start with POST /api/idle-runs').optional();

const configuredRequest = z.strictObject({ target: targetName, probes });
const adHocRequest = adHocServerSchema(HTTP_AD_HOC).extend({ probes });

/** `{target, probes?}` for a configured target, or `{server, …, probes?}` for an ad-hoc one the allowlist permits. */
export const probeRequestSchema = z.union([configuredRequest, adHocRequest]);
export type ProbeRequest = z.infer<typeof probeRequestSchema>;

/** A body with `target` means a configured target, any other an ad-hoc server: a 400 lists that form's issues. */
const requestSchemaFor = (raw: unknown): z.ZodType<ProbeRequest> =>
  (raw !== null && typeof raw === 'object' && 'target' in raw ? configuredRequest : adHocRequest);

/** `POST /api/probe`: probes one target now and answers with the results. */
export const probeHandler = (source: RuntimeSource) => withRuntime(source, async (rt, request, context) => {
  const read = await readBody(request, requestSchemaFor);
  if ('response' in read) return read.response;
  const { probes: chosen, ...rest } = read.body;
  let target: Target | undefined;
  if ('target' in rest) {
    target = rt.targets.find((t) => t.name === rest.target);
    if (!target) return json(404, { error: `no configured target "${rest.target}"; GET /api/targets lists them` });
  } else {
    const allowlist = rt.settings.SQLPROBE_ADHOC_ALLOWLIST;
    if (allowlist.length === 0) return json(403, { error: 'ad-hoc servers are off: only configured targets can be probed (set SQLPROBE_ADHOC_ALLOWLIST to allow host patterns)' });
    if (!hostAllowed(rest.server, allowlist)) return json(403, { error: `server "${rest.server}" is not in SQLPROBE_ADHOC_ALLOWLIST` });
    target = adHocTarget(rest);
  }
  const configured = 'target' in rest;
  const fix = configured
    ? 'add credentials (auth) to the target, or leave those probes out'
    : 'use auth "managed-identity" (Azure SQL names only), or leave those probes out';
  const run = chosen ?? roundProbesOf(target);
  const problem = loginProblem(target, run, fix);
  if (problem) return json(400, { error: problem });
  const refused = await refuseOnDemandLogin(rt, target, !configured, run, context);
  if (refused) return json(refused.status, { error: refused.reason }, { 'Retry-After': String(refused.retryAfterS) });
  const { results, skipped } = await probeTarget(rt, target, { budgetMs: HTTP_ROUND_BUDGET_MS, ...(chosen ? { probes: chosen } : {}), record: configured }, context);
  return json(200, { results, skipped });
});

import { z } from 'zod';
import { adHocServerSchema, adHocTarget, claimOnDemandLogin, hostAllowed, HTTP_AD_HOC, probeTargets, roundProbesOf } from '../../shared/app';
import { loginProblem, targetName, type Target } from '../../shared/config';
import { ROUND_PROBES, type RoundProbe } from '../../shared/contract';
import { json, readBody, withRuntime, type RuntimeSource } from './http';

/** The answer must leave well inside the 230 s HTTP limit, flush included. */
export const HTTP_ROUND_BUDGET_MS = 150_000;

const connectivityProbe = z.enum(ROUND_PROBES as [RoundProbe, ...RoundProbe[]], { error: 'expected dns, tcp, tls or login (idle runs start with POST /api/idle-runs)' });
/** Each probe at most once per request: a duplicate would only multiply connections (and logins). */
const probes = z
  .array(connectivityProbe)
  .min(1)
  .max(ROUND_PROBES.length, `expected at most ${ROUND_PROBES.length} probes, each once: ${ROUND_PROBES.join(', ')}`)
  .transform((list) => [...new Set(list)])
  .optional();

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
  const waitMs = await claimOnDemandLogin(rt, target, !configured, run).catch((err: unknown) => {
    context.error(`sqlprobe: the on-demand login cool-down could not be checked in state storage: ${String(err)}`);
    return undefined;
  });
  if (waitMs === undefined) return json(503, { error: 'the on-demand login cool-down could not be checked in state storage; try again shortly, or leave login out of probes' }, { 'Retry-After': '5' });
  if (waitMs > 0) {
    const seconds = Math.ceil(waitMs / 1000);
    const subject = configured ? `target "${target.name}"` : `server "${target.server}"`;
    return json(429, { error: `${subject} was probed with a login on demand moments ago; try again in ${seconds} s (SQLPROBE_LOGIN_COOLDOWN), so a loop of requests cannot lock its login out` }, { 'Retry-After': String(seconds) });
  }
  const report = await probeTargets(rt, [target], { budgetMs: HTTP_ROUND_BUDGET_MS, ...(chosen ? { probes: chosen } : {}), record: configured }, context);
  return json(200, { results: report.results, skipped: report.skipped });
});

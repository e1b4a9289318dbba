import { z } from 'zod';
import { cancelIdleRun, readIdleRun, startIdleRun } from '../../shared/app';
import { idleSchema, loginProblem, targetName } from '../../shared/config';
import { json, readBody, withRuntime, type RuntimeSource } from './http';

export const idleRunRequestSchema = z.strictObject({
  target: targetName,
  /** Idle ages such as ["5m", "31m"]; the target's ladder by default (unwrapped: the schema's own default is the global ladder). */
  rungs: idleSchema.shape.rungs.unwrap().optional(),
});
export type IdleRunRequest = z.infer<typeof idleRunRequestSchema>;

/**
 * `POST /api/idle-runs`: writes the run request to state storage and answers 202 at once, `pending`
 * until the region's idle holder picks it up (at its next tick; now, when it is this process). The
 * run takes as long as its longest rung.
 */
export const startIdleRunHandler = (source: RuntimeSource) => withRuntime(source, async (rt, request, context) => {
  const read = await readBody(request, idleRunRequestSchema);
  if ('response' in read) return read.response;
  const target = rt.targets.find((t) => t.name === read.body.target);
  if (!target) return json(404, { error: `no configured target "${read.body.target}"; GET /api/targets lists them` });
  const problem = loginProblem(target, ['idle'], 'add credentials (auth) to the target');
  if (problem) return json(400, { error: problem });
  const run = await startIdleRun(rt, target, read.body.rungs, context);
  return json(202, run, { Location: `/api/idle-runs/${run.id}` });
});

const runId = (raw: string | undefined) => z.uuid().safeParse(raw);
const badId = (issues: z.core.$ZodIssue[]) => json(400, { error: 'expected an idle run id (a UUID)', issues });

/** `GET /api/idle-runs/{id}`: progress (outcomes so far of `expected`) and the verdict so far, from any instance. */
export const getIdleRunHandler = (source: RuntimeSource) => withRuntime(source, async (rt, request) => {
  const id = runId(request.params.id);
  if (!id.success) return badId(id.error.issues);
  const run = await readIdleRun(rt, id.data);
  return run ? json(200, run) : json(404, { error: `no idle run ${id.data}` });
});

/**
 * `DELETE /api/idle-runs/{id}`: cancels a pending or running run; its open cells settle as
 * inconclusive `cancelled`. 200 when nothing of it is held any more, 202 while its connections wait
 * for the holder's next tick to close (`closing`), 409 for a run that already ended.
 */
export const cancelIdleRunHandler = (source: RuntimeSource) => withRuntime(source, async (rt, request) => {
  const id = runId(request.params.id);
  if (!id.success) return badId(id.error.issues);
  const run = await cancelIdleRun(rt, id.data);
  if (!run) return json(404, { error: `no idle run ${id.data}` });
  if (run.status !== 'cancelled') return json(409, { error: `idle run ${id.data} already ended (${run.status}); only a pending or running run can be cancelled`, run });
  return json(run.closing ? 202 : 200, run);
});

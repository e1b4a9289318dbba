import { z } from 'zod';
import { readIdleRun, startIdleRun } from '../../shared/app';
import { idleSchema, loginProblem, targetName } from '../../shared/config';
import { json, readBody, withRuntime, type RuntimeSource } from './http';

export const idleRunRequestSchema = z.strictObject({
  target: targetName,
  /** Idle ages such as ["5m", "31m"]; the target's ladder by default (unwrapped: the schema's own default is the global ladder). */
  rungs: idleSchema.shape.rungs.unwrap().optional(),
});
export type IdleRunRequest = z.infer<typeof idleRunRequestSchema>;

/** `POST /api/idle-runs`: starts a ladder and answers 202 at once; the run takes as long as its longest rung. */
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

/** `GET /api/idle-runs/{id}`: progress (outcomes so far of `expected`) and the verdict so far. */
export const getIdleRunHandler = (source: RuntimeSource) => withRuntime(source, async (rt, request) => {
  const id = z.uuid().safeParse(request.params.id);
  if (!id.success) return json(400, { error: 'expected an idle run id (a UUID)', issues: id.error.issues });
  const run = await readIdleRun(rt, id.data);
  return run ? json(200, run) : json(404, { error: `no idle run ${id.data}` });
});

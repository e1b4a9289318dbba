import { triage } from '../../shared/telemetry/ingestion';

const items = ['a', 'b', 'c', 'd'];
const body = (errors: object[]) => JSON.stringify({ itemsReceived: 4, itemsAccepted: 4 - errors.length, errors });

test('200 delivers everything; 400 refuses everything as invalid', () => {
  expect(triage(items, { status: 200 })).toMatchObject({ delivered: 4, keep: [], rejected: [] });
  expect(triage(items, { status: 400, body: '{}' })).toMatchObject({ delivered: 0, keep: [], rejected: items, reason: 'HTTP 400' });
});

test('206 keeps only the items it refused for a reason that may pass; invalid ones are dropped, sampled-out ones count as delivered', () => {
  const t = triage(items, { status: 206, body: body([{ index: 0, statusCode: 503, message: 'busy' }, { index: 1, statusCode: 400, message: 'invalid field' }, { index: 3, statusCode: 206, message: 'Telemetry sampled out.' }]) });
  expect(t).toEqual({ delivered: 2, keep: ['a'], rejected: ['b'], reason: 'HTTP 206: 2 of 4 items refused' });
});

test('206 with a body that cannot be read keeps everything: a duplicate beats a loss', () => {
  expect(triage(items, { status: 206, body: '<html>' })).toMatchObject({ delivered: 0, keep: items, rejected: [] });
});

test.each([
  [{ status: 503, body: '' }, 'HTTP 503'],
  [{ status: 502, body: '<html>' }, 'HTTP 502'],
  [{ status: 429, body: '', retryAfterMs: 2000 }, 'HTTP 429'],
  [{ status: 401 }, 'HTTP 401'],
  [{ status: 403 }, 'HTTP 403'],
  [{ status: 404 }, 'HTTP 404'],
  [{ failure: 'ECONNREFUSED' }, 'ECONNREFUSED'],
  [{ failure: 'no answer within the bound' }, 'no answer within the bound'],
])('%o keeps everything (%s)', (answer, reason) => {
  expect(triage(items, answer)).toEqual({ delivered: 0, keep: items, rejected: [], reason });
});

import type { z } from 'zod';
import type { serverFactsSchema } from '../result';
import type { Row } from './batch';

export type ServerFacts = z.infer<typeof serverFactsSchema>;

/** Appended to the target's query in the same batch, so the facts cost no extra round trip. */
const FACTS_SQL = "SELECT @@SPID AS spid, SERVERPROPERTY('EngineEdition') AS engineEdition, DATABASEPROPERTYEX(DB_NAME(), 'Updateability') AS updateability, DB_NAME() AS db";

export function withFacts(query: string): string {
  return `${query.trim().replace(/;+$/, '')};\n${FACTS_SQL}`;
}

const asInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);

/** Reads the facts row (the batch's last result set). */
export function parseFacts(row: Row | undefined): ServerFacts {
  if (!row) return {};
  const updateability = row.updateability === 'READ_ONLY' || row.updateability === 'READ_WRITE' ? row.updateability : undefined;
  const facts: ServerFacts = { spid: asInt(row.spid), engineEdition: asInt(row.engineEdition), updateability, database: typeof row.db === 'string' ? row.db : undefined };
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined));
}

import { parseDuration as parseUnits } from '../shared/config/duration';

/** Parses "20ms", "5s", "30m", "1h" (the settings' syntax) or a bare number of milliseconds. */
export function parseDuration(text: string): number {
  const ms = /^\d+$/.test(text.trim()) ? Number(text) : parseUnits(text);
  if (ms === undefined) throw new Error(`not a duration: ${text} (use e.g. 20ms, 5s, 30m)`);
  return ms;
}

/** TDS protocol versions as sent in LOGIN7 (little-endian) and LOGINACK (big-endian). */
export const TdsVersion = {
  V7_1: 0x71000001,
  V7_2: 0x72090002,
  V7_3A: 0x730a0003,
  V7_3B: 0x730b0003,
  V7_4: 0x74000004,
  V8_0: 0x08000000,
} as const;

const KNOWN_7X = [TdsVersion.V7_1, TdsVersion.V7_2, TdsVersion.V7_3A, TdsVersion.V7_3B, TdsVersion.V7_4] as number[];

/**
 * The version a server acknowledges: the client's own when it is a 7.x version drivers know
 * (tedious rejects any other LOGINACK version), otherwise 7.4, including for TDS 8.0.
 */
export function negotiateTdsVersion(client: number): number {
  return KNOWN_7X.includes(client) ? client : TdsVersion.V7_4;
}

/**
 * TDS 7.1 uses narrower fields than 7.2+: DONE row counts (4 vs 8 bytes), COLMETADATA user types
 * (2 vs 4) and INFO/ERROR line numbers (2 vs 4). Compared on the major/minor byte.
 */
export function isTds72OrLater(version: number): boolean {
  return version >>> 24 >= 0x72 || version === TdsVersion.V8_0;
}

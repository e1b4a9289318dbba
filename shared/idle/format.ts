/** "8 s", "1800 s (30 min)": seconds always, minutes added where they read better. */
export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${Math.round(ms / 100) / 10} s`;
  const min = Math.round((ms / 60_000) * 10) / 10;
  return `${s} s (${min} min)`;
}

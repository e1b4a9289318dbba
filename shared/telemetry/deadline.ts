/**
 * Settles within `ms`: true when `work` resolved in time, false when it rejected or the bound cut
 * it short. The work is not cancelled; a late export still lands or is persisted by the exporter.
 */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([work.then(() => true, () => false), bound]);
  } finally {
    clearTimeout(timer);
  }
}

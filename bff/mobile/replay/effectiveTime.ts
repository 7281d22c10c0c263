// The time an offline action counts at, for last-write-wins (README, "Offline replay").
// A phone whose clock disagrees with ours by more than the tolerance when it sends the batch
// (`sentAt` vs arrival) has every action time shifted by that difference; and no action may
// count later than its arrival, so a fast clock cannot claim the future.

/** Milliseconds to add to the batch's client times. */
export function clockCorrection(sentAt: string | undefined, receivedAt: number, toleranceMs: number): number {
  if (sentAt === undefined) return 0;
  const offset = receivedAt - Date.parse(sentAt);
  return Math.abs(offset) > toleranceMs ? offset : 0;
}

export function effectiveTime(clientAt: string, correctionMs: number, receivedAt: number): string {
  return new Date(Math.min(Date.parse(clientAt) + correctionMs, receivedAt)).toISOString();
}

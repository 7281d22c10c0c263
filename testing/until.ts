// Small helpers for tests that drive real processes: a bare GET, and polling for a condition.
import http from 'node:http';

/** GET `url` and resolve with the status once the body has been read. */
export function getStatus(url: string, agent: http.Agent | false): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

/** Polls `check` until it holds; fails naming `what` past the deadline. A bound, not a timing assertion. */
export async function until(what: string, check: () => Promise<boolean>, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`condition not reached: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

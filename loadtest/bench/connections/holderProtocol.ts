// What run.ts and its holder processes say to each other.
export type HolderCommand =
  { cmd: 'open'; target: number; timeoutMs: number } | { cmd: 'status' } | { cmd: 'close' };

export interface HolderReport {
  type: 'opened' | 'status' | 'closed';
  pid: number;
  /** Connections open and answered now. */
  open: number;
  /** Held connections the gateway closed. */
  closedByServer: number;
  /** Socket errors by code (EMFILE, ECONNRESET, ...). */
  errors: Record<string, number>;
  /** Responses by status code (first requests and pings). */
  statuses: Record<string, number>;
  pings: number;
  /** Why this holder stopped opening, when it could not go on. */
  fatal?: string;
}

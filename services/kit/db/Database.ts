// The one small query interface every service uses, whether PGlite or a real Postgres is behind it.

export interface QueryResult<Row> {
  rows: Row[];
  /** Rows returned by a SELECT / RETURNING, or changed by an INSERT/UPDATE/DELETE. */
  rowCount: number;
}

export interface Queryable {
  /** One statement with `$1`-style parameters. */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<Row>>;
  /** Several statements, no parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Database extends Queryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  /** Releases what this handle owns (a shared PGlite is closed by its owner, not here). */
  close(): Promise<void>;
}

/** SQLSTATE of a unique-constraint violation: how "slot taken", "email taken" surface. */
export const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint: name } = error as { code?: unknown; constraint?: unknown };
  return code === UNIQUE_VIOLATION && (constraint === undefined || name === constraint);
}

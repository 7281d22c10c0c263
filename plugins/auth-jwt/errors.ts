// The two ways a token check fails: the token is bad (401), or the edge cannot check it now (503).

/** The token is not acceptable; `description` goes to the client in WWW-Authenticate and the problem detail. */
export class TokenRejected extends Error {
  readonly description: string;
  constructor(description: string) {
    super(description);
    this.name = 'TokenRejected';
    this.description = description;
  }
}

/** An issuer's keys cannot be fetched and no cached key fits: the edge is unavailable, not the token bad. */
export class KeysUnavailable extends Error {
  /** Seconds a client should wait before retrying. */
  readonly retryAfter: number;
  constructor(message: string, retryAfter: number) {
    super(message);
    this.name = 'KeysUnavailable';
    this.retryAfter = retryAfter;
  }
}

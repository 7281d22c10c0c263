// In-process collapsing of identical GETs in flight (as Varnish's request coalescing and nginx's
// proxy_cache_lock): the first is the leader and goes to the upstream; identical requests arriving
// before its answer's headers wait for it, and all get the same status, headers and body.
// In-process only: sharing across instances would add a Redis round trip to every GET.
import type { UpstreamReply } from '../../contracts/upstream.ts';
import { bufferResponse, toReply, type StoredResponse } from './bufferedResponse.ts';
import { cloneError, isShareableError } from './cloneError.ts';

/** What the leader leaves its followers: its answer, its error, or "go on your own". */
type Shared =
  { kind: 'response'; stored: StoredResponse } | { kind: 'error'; error: unknown } | { kind: 'alone' };

interface Flight {
  followers: number;
  shared: Promise<Shared>;
}

export type FollowerOutcome = 'shared' | 'error' | 'alone';

export interface Coalescer {
  /** Runs `exchange` for the first of identical requests; the others wait and share its answer. */
  exchange(key: string, limit: number, exchange: () => Promise<UpstreamReply>): Promise<UpstreamReply>;
  /** Requests in flight as leaders (for tests and metrics). */
  inFlight(): number;
}

export function createCoalescer(onFollower: (outcome: FollowerOutcome) => void = () => {}): Coalescer {
  const flights = new Map<string, Flight>();

  async function follow(flight: Flight, exchange: () => Promise<UpstreamReply>): Promise<UpstreamReply> {
    flight.followers += 1;
    const shared = await flight.shared;
    onFollower(shared.kind === 'response' ? 'shared' : shared.kind);
    if (shared.kind === 'response') return toReply(shared.stored);
    if (shared.kind === 'error') throw cloneError(shared.error);
    return exchange();
  }

  async function lead(
    key: string,
    limit: number,
    exchange: () => Promise<UpstreamReply>,
  ): Promise<UpstreamReply> {
    let share!: (shared: Shared) => void;
    const flight: Flight = { followers: 0, shared: new Promise<Shared>((resolve) => (share = resolve)) };
    flights.set(key, flight);

    let response: UpstreamReply;
    try {
      response = await exchange();
    } catch (error) {
      flights.delete(key);
      // The leader's client leaving says nothing about the upstream: followers then go themselves.
      share(isShareableError(error) ? { kind: 'error', error } : { kind: 'alone' });
      throw error;
    }
    // The window closes with the answer's headers: later requests start a flight of their own.
    flights.delete(key);
    if (flight.followers === 0) {
      share({ kind: 'alone' });
      return response; // nobody waits: the body streams through untouched
    }

    let buffered;
    try {
      buffered = await bufferResponse(response, limit);
    } catch (error) {
      share({ kind: 'error', error });
      throw error;
    }
    if ('overflow' in buffered) {
      share({ kind: 'alone' });
      return buffered.overflow;
    }
    // A Set-Cookie is meant for one client (a session id): never hand it to others.
    share(
      buffered.complete.headers['set-cookie']
        ? { kind: 'alone' }
        : { kind: 'response', stored: buffered.complete },
    );
    return toReply(buffered.complete);
  }

  return {
    exchange(key, limit, exchange) {
      const flight = flights.get(key);
      return flight ? follow(flight, exchange) : lead(key, limit, exchange);
    },
    inFlight: () => flights.size,
  };
}

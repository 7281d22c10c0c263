import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { EdgeRequest } from '../../contracts/plugin.ts';
import { exchangeContextOf, withLazySignal } from './exchangeContext.ts';

/** The parts of a request the exchange context reads, with a response that can close. */
function fakeRequest(): { request: EdgeRequest; res: EventEmitter & { writableFinished: boolean } } {
  const res = Object.assign(new EventEmitter(), { writableFinished: false });
  const request = {
    info: { remoteAddress: '203.0.113.9' },
    auth: { isAuthenticated: false, credentials: null },
    plugins: { portico: { requestId: 'req-1', clientIp: '203.0.113.9', routeId: 'r' } },
    raw: { req: {}, res },
  } as unknown as EdgeRequest;
  return { request, res };
}

describe('exchangeContextOf', () => {
  it('gives the caller and request id, and a signal that aborts when the client leaves first', () => {
    const { request, res } = fakeRequest();
    const context = exchangeContextOf(request);
    expect(context.caller).toEqual({ ip: '203.0.113.9' });
    expect(context.requestId).toBe('req-1');
    expect(context.signal.aborted).toBe(false);
    res.emit('close');
    expect(context.signal.aborted).toBe(true);
    expect((context.signal.reason as NodeJS.ErrnoException).code).toBe('PORTICO_CLIENT_CLOSED');
  });

  it('makes one signal per request, however many contexts ask', () => {
    const { request } = fakeRequest();
    expect(exchangeContextOf(request).signal).toBe(exchangeContextOf(request).signal);
  });

  it('survives a spread: `...exchangeContext(request)` in a call carries the signal', () => {
    const { request } = fakeRequest();
    const call = { method: 'GET', ...exchangeContextOf(request) };
    expect(call.signal).toBeInstanceOf(AbortSignal);
    expect(call.requestId).toBe('req-1');
  });

  // Each request's context and exchange must share one accessor function: a getter made per
  // request (an object literal's `get signal()`) gives every object its own hidden class, which
  // kept whole requests alive until the next full GC.
  it('uses one accessor for every request, not a closure per request', () => {
    const getterOf = (object: object) => Object.getOwnPropertyDescriptor(object, 'signal')?.get;
    const first = exchangeContextOf(fakeRequest().request);
    const second = exchangeContextOf(fakeRequest().request);
    expect(getterOf(first)).toBeTypeOf('function');
    expect(getterOf(first)).toBe(getterOf(second));
    const source = { signal: new AbortController().signal };
    expect(getterOf(withLazySignal({ a: 1 }, source))).toBe(getterOf(first));
  });

  it('makes no signal until one is read', () => {
    const { request, res } = fakeRequest();
    exchangeContextOf(request);
    expect(res.listenerCount('close')).toBe(0);
  });
});

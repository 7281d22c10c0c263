// What reaches a service from a BFF call: the session's bearer token, the session's user as the
// caller, the request id; never the browser's Cookie, and never identity headers the browser sent.
// Resources is replaced by a recording upstream so the test sees the exact headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, startUpstream, type TestGateway, type TestUpstream } from '../../testing/index.ts';
import { startTestServices, type TestServices } from '../../services/testing/index.ts';
import { JWT, PREFIX, SAME_ORIGIN, SESSION_KEY, passwordLogin } from './testing/webStack.ts';

let services: TestServices;
let recorder: TestUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  services = await startTestServices();
  recorder = await startUpstream((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ items: [], nextCursor: null }));
  });
  gateway = await startTestGateway({
    server: { host: '127.0.0.1' },
    upstreams: {
      identity: { url: services.urls.identity },
      programs: { url: services.urls.programs },
      appointments: { url: services.urls.appointments },
      resources: { url: recorder.url },
    },
    plugins: [{ name: 'web-bff', options: { encryptionKeys: [SESSION_KEY] } }],
  });
});
afterAll(async () => {
  await gateway?.stop();
  await recorder?.close();
  await services?.stop();
});

describe('headers the BFF sends a service', () => {
  it('carry the session as a bearer token and the verified caller, and drop Cookie and forged identity headers', async () => {
    const student = await services.createUser('student');
    const { cookie } = await passwordLogin(gateway.url, student.email, student.password);
    const response = await fetch(`${gateway.url}${PREFIX}/dashboard`, {
      headers: {
        ...SAME_ORIGIN,
        cookie: `${cookie}; other=1`,
        'x-user-id': '00000000-0000-4000-8000-000000000000',
        'x-user-roles': 'admin',
        'x-api-key-id': 'forged',
        authorization: 'Bearer forged-by-the-browser',
      },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).not.toMatch(JWT);
    // The gateway's readiness probe also calls the recorder; only the BFF's calls count here.
    const calls = recorder.seen.filter((request) => request.url.startsWith('/resources'));
    expect(calls).toHaveLength(1);
    const [seen] = calls;
    expect(seen!.url).toBe('/resources?limit=20');
    const headers = seen!.headers;
    expect(headers.cookie).toBeUndefined();
    expect(headers['x-user-id']).toBe(student.id);
    expect(headers['x-user-roles']).toBe('student');
    expect(headers['x-api-key-id']).toBeUndefined();
    expect(headers.authorization).toMatch(/^Bearer eyJ/);
    expect(headers.authorization).not.toContain('forged');
    expect(headers['x-request-id']).toEqual(expect.any(String));
  });
});

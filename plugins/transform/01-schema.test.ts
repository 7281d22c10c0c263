import { describe, expect, it } from 'vitest';
import { transformOptions, transformRouteOptions } from './schema.ts';
import { configIssuesOf, MINIMAL_CONFIG } from '../../testing/index.ts';

describe('transform options schema', () => {
  it('defaults: bodies up to 1 MiB; a route with no rules says nothing', () => {
    expect(transformOptions.parse({})).toEqual({ maxBodySize: 1024 * 1024 });
    expect(transformRouteOptions.parse({})).toEqual({});
  });

  it('parses header rules (names lower-cased) and body paths, dotted and JSON pointers', () => {
    const parsed = transformRouteOptions.parse({
      request: {
        headers: { add: { 'X-Api-Version': '2' }, remove: ['X-Debug'], rename: { 'X-Old': 'X-New' } },
      },
      response: {
        body: { remove: ['items.internal', '/meta/trace'], rename: { 'items.link': 'url', '/a~1b/c': 'd' } },
      },
      maxBodySize: '256kb',
    });
    expect(parsed.request?.headers).toEqual({
      add: { 'x-api-version': '2' },
      remove: ['x-debug'],
      rename: { 'x-old': 'x-new' },
    });
    expect(parsed.response?.body).toEqual({
      remove: [
        ['items', 'internal'],
        ['meta', 'trace'],
      ],
      rename: [
        { from: ['items', 'link'], to: 'url' },
        { from: ['a/b', 'c'], to: 'd' },
      ],
    });
    expect(parsed.maxBodySize).toBe(256 * 1024);
  });

  it('refuses rules on headers the gateway manages (identity, framing), and bad paths or names', () => {
    const refused = [
      { request: { headers: { add: { 'x-user-id': 'admin' } } } },
      { request: { headers: { rename: { 'x-forwarded-user': 'x-user-roles' } } } },
      { response: { headers: { remove: ['content-length'] } } },
      { response: { body: { remove: ['items..link'] } } },
      { response: { body: { rename: { 'items.link': 'a.b' } } } },
      { response: { body: { rename: { '/': 'x' } } } },
      { response: { headers: { add: { 'x-a': 'line\nbreak' } } } },
      { response: { cookies: {} } },
    ];
    for (const options of refused)
      expect(transformRouteOptions.safeParse(options).success, JSON.stringify(options)).toBe(false);
  });

  it('config errors name the path of the bad rule', async () => {
    const issues = await configIssuesOf({
      ...MINIMAL_CONFIG,
      plugins: [{ name: 'transform' }],
      routes: [
        {
          ...MINIMAL_CONFIG.routes[0],
          plugins: { transform: { request: { headers: { add: { 'x-user-id': 'x' } } } } },
        },
      ],
    });
    expect(issues.some((issue) => issue.startsWith('routes[0].plugins.transform.request.headers.add'))).toBe(
      true,
    );
  });
});

// The real stack for the plugin's end-to-end tests: the four services (services/testing), a
// counting tap in front of each, and a real gateway with auth-jwt, api-key and this plugin.
import type { Logger } from 'pino';
import { startTestServices, type TestServices } from '../../../services/testing/index.ts';
import { startTestGateway, type TestGateway } from '../../../testing/index.ts';
import { startSubgraphTap, type SubgraphTap } from './subgraphTap.ts';

export const SERVICE_NAMES = ['identity', 'programs', 'appointments', 'resources'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface GraphqlStack {
  services: TestServices;
  taps: Record<ServiceName, SubgraphTap>;
  gateway: TestGateway;
  /** POST a GraphQL request as JSON. */
  post(body: unknown, options?: { token?: string; headers?: Record<string, string> }): Promise<Answer>;
  /** GET /graphql with these query parameters (objects are JSON-encoded). */
  get(
    params: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<Answer>;
  /** Subgraph /graphql calls seen so far, per service. */
  callCounts(): Record<ServiceName, number>;
  resetCalls(): void;
  restartGateway(graphqlOptions: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  };
  text: string;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: Answer['body'] = {};
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = {};
  }
  return { status: response.status, headers: response.headers, body, text };
}

export async function startGraphqlStack(
  graphqlOptions: Record<string, unknown> = {},
  extraPlugins: Array<{ name: string; options?: Record<string, unknown> }> = [],
  gatewayOptions: {
    logger?: Logger;
    /** More upstreams by name (a test's own subgraph): name → URL. */
    upstreams?: Record<string, string>;
  } = {},
): Promise<GraphqlStack> {
  const { upstreams: extraUpstreams = {}, ...testGatewayOptions } = gatewayOptions;
  const services = await startTestServices();
  const taps = {} as Record<ServiceName, SubgraphTap>;
  for (const name of SERVICE_NAMES) taps[name] = await startSubgraphTap(services.urls[name]);
  const config = (options: Record<string, unknown>) => ({
    upstreams: Object.fromEntries([
      ...SERVICE_NAMES.map((name) => [name, { url: taps[name].url, health: false }]),
      ...Object.entries(extraUpstreams).map(([name, url]) => [name, { url, health: false }]),
    ]),
    plugins: [
      { name: 'auth-jwt', options: { issuers: [{ issuer: services.issuer, audiences: ['portico'] }] } },
      ...extraPlugins,
      { name: 'graphql', options },
    ],
  });
  let gateway = await startTestGateway(config(graphqlOptions) as never, testGatewayOptions);
  const headersOf = (options?: { token?: string; headers?: Record<string, string> }) => ({
    ...(options?.token && { authorization: `Bearer ${options.token}` }),
    ...options?.headers,
  });
  const stack: GraphqlStack = {
    services,
    taps,
    get gateway() {
      return gateway;
    },
    post: async (body, options) =>
      answer(
        await fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headersOf(options) },
          body: JSON.stringify(body),
        }),
      ),
    get: async (params, options) => {
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(params))
        search.set(name, typeof value === 'string' ? value : JSON.stringify(value));
      return answer(
        await fetch(`${gateway.url}/graphql?${search.toString()}`, {
          headers: { 'x-graphql-csrf': '1', ...headersOf(options) },
        }),
      );
    },
    callCounts: () =>
      Object.fromEntries(SERVICE_NAMES.map((name) => [name, taps[name].graphqlCalls().length])) as Record<
        ServiceName,
        number
      >,
    resetCalls: () => {
      for (const name of SERVICE_NAMES) taps[name].calls.length = 0;
    },
    async restartGateway(options) {
      await gateway.stop();
      gateway = await startTestGateway(config(options) as never, testGatewayOptions);
    },
    async stop() {
      await gateway.stop();
      for (const name of SERVICE_NAMES) await taps[name].close();
      await services.stop();
    },
  };
  return stack;
}

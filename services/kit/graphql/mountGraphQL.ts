// Serves a service's GraphQL subschema at /graphql through graphql-yoga's fetch API, so hapi
// keeps owning auth, request ids and logs. The bearer token is optional here; resolvers decide.
import { createSchema, createYoga } from 'graphql-yoga';
import type { Request, ResponseToolkit, Server } from '@hapi/hapi';
import { readFileSync } from 'node:fs';
import { BEARER_STRATEGY } from '../auth/bearerScheme.ts';
import { principalOf } from '../auth/principal.ts';
import type { Principal } from '../auth/principal.ts';

export interface GraphQLContext {
  principal: Principal | undefined;
  request: Request;
}

/** The resolver map graphql-yoga's createSchema takes. */
export type Resolvers = NonNullable<Parameters<typeof createSchema<GraphQLContext>>[0]['resolvers']>;

interface ServerContext {
  hapiRequest: Request;
}

export function mountGraphQL(server: Server, options: { sdlFile: URL; resolvers: Resolvers }): void {
  const yoga = createYoga<ServerContext>({
    schema: createSchema<ServerContext & GraphQLContext>({
      typeDefs: readFileSync(options.sdlFile, 'utf8'),
      resolvers: options.resolvers as Parameters<
        typeof createSchema<ServerContext & GraphQLContext>
      >[0]['resolvers'],
    }),
    graphqlEndpoint: '/graphql',
    logging: false,
    landingPage: false,
    maskedErrors: true,
    context: ({ hapiRequest }) => ({ principal: principalOf(hapiRequest), request: hapiRequest }),
  });

  const handler = async (request: Request, h: ResponseToolkit) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers.set(name, value);
    }
    const body = request.method === 'post' ? (request.payload as Buffer | null) : null;
    const response = await yoga.fetch(
      request.url.toString(),
      {
        method: request.method.toUpperCase(),
        headers,
        body: body && body.length > 0 ? new Uint8Array(body) : null,
      },
      { hapiRequest: request },
    );
    const result = h.response(await response.text()).code(response.status);
    response.headers.forEach((value, name) => {
      if (name !== 'content-length') result.header(name, value);
    });
    return result;
  };
  const auth = { strategy: BEARER_STRATEGY, mode: 'optional' as const };
  server.route([
    { method: 'GET', path: '/graphql', options: { auth }, handler },
    {
      method: 'POST',
      path: '/graphql',
      options: { auth, payload: { parse: false, output: 'data', maxBytes: 1024 * 1024 } },
      handler,
    },
  ]);
}

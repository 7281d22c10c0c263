// A real service on the services' kit (services/kit: its hapi bootstrap, request logging and
// tracing) for the tracing tests, with the routes a test gives it. Test-only: the plugin itself
// never imports the services.
import type { ServerRoute } from '@hapi/hapi';
import { createLocalJWKSet } from 'jose';
import pino from 'pino';
import {
  createServiceServer,
  createTokenVerifier,
  openPGlite,
  pgliteDatabase,
  type ServiceTracing,
} from '../../../services/kit/index.ts';

export interface KitService {
  url: string;
  stop(): Promise<void>;
}

export async function startKitService(routes: ServerRoute[], tracing: ServiceTracing): Promise<KitService> {
  const db = pgliteDatabase(await openPGlite(), true);
  const server = createServiceServer({
    logger: pino({ level: 'silent' }),
    db,
    // No route here needs a caller; a verifier that knows no key refuses every token.
    verifyToken: createTokenVerifier({
      keys: createLocalJWKSet({ keys: [] }),
      issuer: 'http://issuer.invalid',
      audience: 'portico',
    }),
    tracing,
    name: 'things',
  });
  server.route(routes.map((route) => ({ ...route, options: { auth: false, ...route.options } })));
  await server.start();
  return {
    url: server.info.uri.replace('0.0.0.0', '127.0.0.1'),
    async stop() {
      await server.stop({ timeout: 0 });
      await db.close();
    },
  };
}

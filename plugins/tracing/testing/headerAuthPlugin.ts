// A test-only auth plugin: trusts an x-test-user header, so the tracing tests can give a route an
// auth step (and the rate-limit checks that follow it) without an issuer.
import Boom from '@hapi/boom';
import { z } from 'zod';
import { definePlugin } from '../../../contracts/plugin.ts';

export default definePlugin({
  name: 'test-header-auth',
  version: '0.0.0',
  priority: 1450,
  phases: ['auth'],
  options: z.object({}).strict(),
  authStrategies: ['test-header-auth'],
  register(server) {
    server.auth.scheme('test-header-auth', () => ({
      authenticate(request, h) {
        const user = request.headers['x-test-user'];
        if (typeof user === 'string') return h.authenticated({ credentials: { sub: user, userId: user } });
        throw Boom.unauthorized(null, 'Test');
      },
    }));
    server.auth.strategy('test-header-auth', 'test-header-auth');
  },
});

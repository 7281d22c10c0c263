// A test-only auth plugin: trusts x-test-user / x-test-key headers, so rate-limit tests can give a
// request a user (sub) or an API key (keyId, own limit, monthly quota) the way auth-jwt and api-key will.
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
        const key = request.headers['x-test-key'];
        if (typeof user === 'string') return h.authenticated({ credentials: { sub: user } });
        if (typeof key === 'string') {
          const quota = request.headers['x-test-key-quota'];
          const rateLimit = typeof quota === 'string' ? { points: Number(quota), per: '1m' } : undefined;
          const monthly = request.headers['x-test-key-monthly'];
          const monthlyQuota = typeof monthly === 'string' ? Number(monthly) : undefined;
          return h.authenticated({ credentials: { keyId: key, rateLimit, monthlyQuota } });
        }
        throw Boom.unauthorized(null, 'Test');
      },
    }));
    server.auth.strategy('test-header-auth', 'test-header-auth');
  },
});

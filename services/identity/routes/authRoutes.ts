// POST /auth/register | login | refresh | logout | sso
import Boom from '@hapi/boom';
import type { Request, ServerRoute } from '@hapi/hapi';
import { z } from 'zod';
import { badRequest, log, tooManyRequests, zodValidator } from '../../kit/index.ts';
import { clientIp } from '../clientIp.ts';
import type { IdentityContext } from '../identityContext.ts';
import { lockedFor, recordFailure, recordSuccess, throttleRules } from '../loginThrottle.ts';
import { passwordWeakness } from '../passwords/passwordPolicy.ts';
import { revokeFamilyOf, rotateRefreshToken, startRefreshFamily } from '../tokens/refreshTokens.ts';
import { tokenResponse } from '../tokens/tokenResponse.ts';
import {
  EmailTakenError,
  createUser,
  findUserByEmail,
  findUserByExternalIdentity,
  findUserById,
  linkExternalIdentity,
  normalizeEmail,
} from '../users/userStore.ts';
import type { User } from '../users/userStore.ts';

const RegisterBody = z.object({
  email: z.email().max(254),
  password: z.string().max(1024),
  name: z.string().trim().min(1).max(100).optional(),
});
const LoginBody = z.object({ email: z.string().min(1).max(254), password: z.string().min(1).max(1024) });
const RefreshBody = z.object({ refresh_token: z.string().min(1).max(200) });
const SsoBody = z.object({ id_token: z.string().min(1).max(16_384), nonce: z.string().max(256).optional() });

function invalidGrant(detail: string): Boom.Boom {
  return Boom.unauthorized(detail, 'Bearer', { error: 'invalid_grant' });
}

export function authRoutes(ctx: IdentityContext): ServerRoute[] {
  const { db, config, passwords } = ctx;

  const issueTokens = async (user: User) =>
    tokenResponse(ctx, user, await startRefreshFamily(db, user.id, config.refreshTokenTtl));

  return [
    {
      method: 'POST',
      path: '/auth/register',
      options: { auth: false, validate: { payload: zodValidator(RegisterBody, 'registration') } },
      async handler(request, h) {
        const body = request.payload as z.output<typeof RegisterBody>;
        const weakness = passwordWeakness(body.password, body.email);
        if (weakness)
          throw badRequest(`Weak password: ${weakness}`, {
            errors: [{ path: 'password', message: weakness }],
          });
        try {
          const user = await createUser(db, {
            email: body.email,
            name: body.name,
            passwordHash: await passwords.hash(body.password),
          });
          log(request).info({ userId: user.id }, 'user registered');
          return h.response(user).code(201);
        } catch (error) {
          if (error instanceof EmailTakenError)
            throw Boom.conflict('An account with this email already exists.');
          throw error;
        }
      },
    },
    {
      method: 'POST',
      path: '/auth/login',
      options: { auth: false, validate: { payload: zodValidator(LoginBody, 'login') } },
      async handler(request: Request) {
        const body = request.payload as z.output<typeof LoginBody>;
        const email = normalizeEmail(body.email);
        const rules = throttleRules(email, clientIp(request, config.trustProxy));
        const locked = await lockedFor(db, rules);
        if (locked > 0) throw tooManyRequests('Too many failed logins. Try again later.', locked);

        const user = await findUserByEmail(db, email);
        // Unknown users cost a hash too, so response times do not reveal which emails exist.
        const ok = await passwords.verify(body.password, user?.passwordHash ?? passwords.dummyHash);
        if (!user || !user.passwordHash || !ok) {
          await recordFailure(db, rules);
          log(request).info('login failed');
          throw Boom.unauthorized('The email or password is wrong.', 'Bearer');
        }
        await recordSuccess(db, email);
        log(request).info({ userId: user.id }, 'login');
        return issueTokens(user);
      },
    },
    {
      method: 'POST',
      path: '/auth/refresh',
      options: { auth: false, validate: { payload: zodValidator(RefreshBody, 'refresh request') } },
      async handler(request: Request) {
        const { refresh_token } = request.payload as z.output<typeof RefreshBody>;
        const result = await rotateRefreshToken(db, refresh_token, config.refreshTokenTtl);
        if (result.outcome === 'reused') {
          log(request).warn('refresh token reuse: family revoked');
          throw invalidGrant('The refresh token was already used; its whole family has been revoked.');
        }
        if (result.outcome === 'invalid')
          throw invalidGrant('The refresh token is invalid, expired or revoked.');
        const user = await findUserById(db, result.userId);
        if (!user) throw invalidGrant('The refresh token is invalid, expired or revoked.');
        return tokenResponse(ctx, user, result.refreshToken);
      },
    },
    {
      method: 'POST',
      path: '/auth/logout',
      options: { auth: false, validate: { payload: zodValidator(RefreshBody, 'logout request') } },
      async handler(request, h) {
        const { refresh_token } = request.payload as z.output<typeof RefreshBody>;
        // 204 either way: logout must not reveal whether a token existed.
        await revokeFamilyOf(db, refresh_token);
        return h.response().code(204);
      },
    },
    {
      method: 'POST',
      path: '/auth/sso',
      options: { auth: false, validate: { payload: zodValidator(SsoBody, 'SSO request') } },
      async handler(request: Request) {
        const verify = ctx.verifyIdToken;
        if (!verify) throw new Boom.Boom('SSO is not configured on this server.', { statusCode: 501 });
        const { id_token, nonce } = request.payload as z.output<typeof SsoBody>;
        let external;
        try {
          external = await verify(id_token, nonce);
        } catch (error) {
          log(request).info({ reason: (error as Error).message }, 'sso id token rejected');
          throw invalidGrant('The ID token is invalid or expired, or was not issued for Portico.');
        }
        const user = await db.transaction(async (tx) => {
          const linked = await findUserByExternalIdentity(tx, external.issuer, external.subject);
          if (linked) return linked;
          if (!external.email) throw badRequest('The ID token carries no email claim.');
          // Link to an existing account only on an email the issuer says it verified.
          const existing = await findUserByEmail(tx, external.email);
          if (existing && !external.emailVerified) {
            throw Boom.conflict('An account with this email exists; the issuer has not verified the email.');
          }
          const target =
            existing ??
            (await createUser(tx, {
              email: external.email,
              name: external.name ?? null,
              passwordHash: null,
            }));
          await linkExternalIdentity(tx, external.issuer, external.subject, target.id);
          return target;
        });
        log(request).info({ userId: user.id }, 'sso login');
        return issueTokens(user);
      },
    },
  ];
}

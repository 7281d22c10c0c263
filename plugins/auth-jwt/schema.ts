import { z } from 'zod';
import { duration } from '../../contracts/units.ts';

/**
 * Signature algorithms a token may use. Asymmetric only: an HMAC algorithm would let anyone who
 * holds the issuer's *public* key forge tokens (algorithm confusion, RFC 8725 §2.1), so none is
 * offered at all.
 */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

const claimName = z
  .string()
  .min(1)
  .regex(/^[^.\s]+(\.[^.\s]+)*$/, 'expected a claim name, or a dotted path like realm_access.roles');

const issuerSchema = z
  .object({
    issuer: z
      .url({ protocol: /^https?$/ })
      .describe('Exact "iss" value of this issuer (compared as a string, not normalised)'),
    audiences: z
      .array(z.string().min(1))
      .min(1, 'expected at least one audience: a token for any audience is never accepted')
      .describe('A token must name at least one of these in "aud"'),
    algorithms: z
      .array(z.enum(ASYMMETRIC_ALGORITHMS))
      .min(1)
      .default(['RS256', 'PS256', 'ES256', 'EdDSA'])
      .describe('Signature algorithms accepted from this issuer'),
    jwksUri: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('The JWKS URL; absent: read jwks_uri from {issuer}/.well-known/openid-configuration'),
    typ: z.string().min(1).optional().describe('Required "typ" header (e.g. at+jwt); absent: not checked'),
    requiredClaims: z
      .array(z.string().min(1))
      .default([])
      .describe('Claims a token must carry besides sub, exp, iss and aud (always required)'),
    rolesClaim: claimName
      .default('roles')
      .describe('Claim (or dotted path) holding the roles: an array or a space-separated string'),
    scopesClaim: claimName
      .default('scope')
      .describe('Claim holding the scopes: a space-separated string or an array'),
    maxTokenAge: duration().optional().describe('Oldest accepted "iat"; absent: only exp limits a token'),
  })
  .strict();

const jwksSchema = z
  .object({
    cooldown: duration()
      .prefault('1s')
      .describe(
        'After a fetch, how long an unknown kid waits before it may trigger another (rate limit of refetches)',
      ),
    refreshInterval: duration()
      .prefault('5m')
      .describe(
        "Background refresh of every issuer's keys; 0 turns it off. Bounds how long a key the issuer stopped publishing is still accepted",
      ),
    timeout: duration().prefault('5s').describe('Time allowed for one discovery or JWKS fetch'),
    failureBackoff: duration()
      .prefault('5s')
      .describe(
        'After a failed fetch, no new fetch for this long; requests that need one get 503 with this Retry-After',
      ),
  })
  .strict();

const cacheSchema = z
  .object({
    max: z.number().int().min(0).default(10_000).describe('Verified tokens kept; 0 turns the cache off'),
    ttl: duration()
      .prefault('5m')
      .describe('Longest a verified token is trusted without re-verification (never past its exp)'),
  })
  .strict();

export const authJwtOptions = z
  .object({
    issuers: z.array(issuerSchema).min(1, 'expected at least one issuer'),
    clockSkew: duration().prefault('30s').describe('Tolerance on exp, nbf and iat'),
    maxTokenSize: z
      .number()
      .int()
      .min(256)
      .max(65_536)
      .default(8192)
      .describe('Longest accepted token, in bytes'),
    jwks: jwksSchema.prefault({}),
    cache: cacheSchema.prefault({}),
  })
  .strict()
  .superRefine((options, context) => {
    const seen = new Map<string, number>();
    for (const [index, { issuer }] of options.issuers.entries()) {
      const earlier = seen.get(issuer);
      if (earlier !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['issuers', index, 'issuer'],
          message: `same issuer as issuers[${earlier}]`,
        });
      }
      seen.set(issuer, index);
    }
  });

export const authJwtRouteOptions = z
  .object({
    scopes: z.array(z.string().min(1)).default([]).describe('Every one of these scopes is required'),
    roles: z
      .array(z.string().min(1))
      .default([])
      .describe('Any one of these roles is enough; empty: no role needed'),
    issuers: z
      .array(z.string().min(1))
      .optional()
      .describe('Only tokens of these issuers are accepted on the route; absent: any configured issuer'),
  })
  .strict();

export type AuthJwtOptions = z.output<typeof authJwtOptions>;
export type IssuerOptions = AuthJwtOptions['issuers'][number];
export type AuthJwtRouteOptions = z.output<typeof authJwtRouteOptions>;

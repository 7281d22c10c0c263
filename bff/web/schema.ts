// Options of the web BFF (bff/web/README.md lists each with its default). Every default is safe in
// production: without configured keys the session key is random per process (sessions then live and
// die with it), and with Redis a configured key is required so every instance can read every session.
import { z } from 'zod';
import { duration } from '../../contracts/units.ts';

const KEY_BYTES = 32;

const encryptionKey = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, 'expected 1 to 32 letters, digits, "_" or "-"')
      .describe('Key id written into each record, so a rotated-out key can still decrypt'),
    key: z
      .string()
      .refine((value) => Buffer.from(value, 'base64').length === KEY_BYTES, {
        message: `expected ${KEY_BYTES} bytes, base64-encoded (openssl rand -base64 32)`,
      })
      .describe('AES-256-GCM key, base64 (32 bytes)'),
  })
  .strict();

const sso = z
  .object({
    issuer: z.url().describe('The campus OIDC issuer; its discovery document is read on first use'),
    clientId: z.string().min(1).describe("The BFF's client id at the issuer (identity's SSO audience)"),
    clientSecret: z
      .string()
      .min(1)
      .optional()
      .describe('Client secret (client_secret_basic); leave out for a public client with PKCE only'),
    redirectUri: z
      .url()
      .describe('Where the issuer sends the browser back: https://<gateway>/web/v1/callback'),
    scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']),
    label: z.string().min(1).max(60).default('Campus SSO').describe('Text of the SSO button'),
  })
  .strict();

export const webBffOptions = z
  .object({
    prefix: z
      .string()
      .regex(/^\/[a-z0-9/-]*[a-z0-9]$/, 'expected a path like /web/v1')
      .default('/web/v1')
      .describe('Where the BFF routes live; every state-changing route under it passes the CSRF check'),
    appPath: z
      .string()
      .regex(/^\/[a-z0-9/-]*\/$/, 'expected a path ending in "/", like /web/')
      .default('/web/')
      .describe('Where the SPA is served (when serveApp)'),
    serveApp: z.boolean().default(true),
    cookieName: z
      .string()
      .regex(/^__Host-[A-Za-z0-9_-]{1,40}$/, 'expected a name starting with "__Host-"')
      .default('__Host-portico-web'),
    allowedOrigins: z
      .array(z.url())
      .default([])
      .describe('Origins accepted on state-changing requests from clients that send no Sec-Fetch-Site'),
    upstreams: z
      .object({
        identity: z.string().default('identity'),
        programs: z.string().default('programs'),
        appointments: z.string().default('appointments'),
        resources: z.string().default('resources'),
      })
      .strict()
      .prefault({}),
    session: z
      .object({
        idleTimeout: duration().prefault('30m').describe('A session unused this long ends'),
        absoluteTimeout: duration()
          .prefault('12h')
          .describe('A session ends this long after login, used or not'),
        refreshBefore: duration()
          .prefault('60s')
          .describe('The access token is refreshed server-side when it expires within this'),
        loginFlowTimeout: duration().prefault('10m').describe('Time allowed at the SSO issuer'),
      })
      .strict()
      .prefault({}),
    encryptionKeys: z
      .array(encryptionKey)
      .default([])
      .describe('Session encryption keys; the first encrypts, all decrypt. Empty: a random key per process'),
    keyPrefix: z.string().default('portico:web:'),
    maxUploadSize: z
      .number()
      .int()
      .positive()
      .default(110 * 1024 * 1024),
    sso: sso.optional(),
  })
  .strict()
  .superRefine((options, ctx) => {
    const ids = options.encryptionKeys.map((key) => key.id);
    ids.forEach((id, index) => {
      if (ids.indexOf(id) !== index)
        ctx.addIssue({
          code: 'custom',
          path: ['encryptionKeys', index, 'id'],
          message: `duplicate key id "${id}"`,
        });
    });
    if (options.session.idleTimeout > options.session.absoluteTimeout)
      ctx.addIssue({
        code: 'custom',
        path: ['session', 'idleTimeout'],
        message: 'must not exceed session.absoluteTimeout',
      });
  });

export type WebBffOptions = z.output<typeof webBffOptions>;
export type SsoOptions = NonNullable<WebBffOptions['sso']>;

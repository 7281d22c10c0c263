// The real thing for the BFF's end-to-end tests: the four services (from services/testing), a
// gateway with them as upstreams and the mobile BFF on, a local FCM server for the pushes, and a
// link in front of programs that a test can cut.
import { startTestServices, type TestServices } from '../../../services/testing/index.ts';
import { startTestGateway, type PorticoConfigInput, type TestGateway } from '../../../testing/index.ts';
import { startFcmServer, type FcmMessage, type FcmServer } from './startFcmServer.ts';
import { startTcpLink, type TcpLink } from './startTcpLink.ts';

export interface MobileStack {
  services: TestServices;
  gateway: TestGateway;
  fcm: FcmServer;
  programsLink: TcpLink;
  /** Another gateway instance with the same config (stopped with the stack). */
  secondGateway(): Promise<TestGateway>;
  stop(): Promise<void>;
}

export const FCM_PROJECT = 'portico-test';
export const FCM_ACCESS_TOKEN = 'test-fcm-access-token';

export async function startMobileStack(
  options: {
    fcmFailWhen?: (attempt: number, message: FcmMessage) => boolean;
    env?: Record<string, string>;
    bffOptions?: Record<string, unknown>;
    /** Shared stores: every gateway of the stack uses this Redis. */
    redisUrl?: string;
  } = {},
): Promise<MobileStack> {
  const fcm = await startFcmServer({
    project: FCM_PROJECT,
    accessToken: FCM_ACCESS_TOKEN,
    failWhen: options.fcmFailWhen,
  });
  const services = await startTestServices({
    env: {
      APPOINTMENTS_PUSH_FCM_URL: fcm.url,
      APPOINTMENTS_PUSH_FCM_PROJECT: FCM_PROJECT,
      APPOINTMENTS_PUSH_FCM_TOKEN: FCM_ACCESS_TOKEN,
      APPOINTMENTS_PUSH_POLL_MS: '50',
      APPOINTMENTS_PUSH_RETRY_BASE_MS: '50',
      ...options.env,
    },
  });
  const programsLink = await startTcpLink(services.urls.programs);
  const config: PorticoConfigInput = {
    ...(options.redisUrl ? { redis: { url: options.redisUrl } } : {}),
    upstreams: {
      identity: { url: services.urls.identity, health: false },
      programs: { url: programsLink.url, health: false },
      appointments: { url: services.urls.appointments, health: false },
      resources: { url: services.urls.resources, health: false },
    },
    plugins: [
      {
        name: 'auth-jwt',
        options: {
          issuers: [
            {
              issuer: services.issuer,
              audiences: ['portico'],
              jwksUri: `${services.urls.identity}/.well-known/jwks.json`,
            },
          ],
        },
      },
      { name: 'mobile-bff', options: options.bffOptions ?? {} },
    ],
    routes: [
      {
        name: 'appointments',
        path: '/api/v1/appointments/{rest*}',
        upstream: 'appointments',
        stripPrefix: '/api/v1',
        auth: 'required',
      },
    ],
  };
  const gateway = await startTestGateway(config);
  const extra: TestGateway[] = [];
  return {
    services,
    gateway,
    fcm,
    programsLink,
    async secondGateway() {
      const second = await startTestGateway(config);
      extra.push(second);
      return second;
    },
    async stop() {
      for (const other of extra) await other.stop();
      await gateway.stop();
      await programsLink.close();
      await services.stop();
      await fcm.close();
    },
  };
}

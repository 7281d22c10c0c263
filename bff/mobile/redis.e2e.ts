// Two gateway instances sharing Redis: an action applied through one (its answer lost mid-response)
// is a duplicate through the other, and a last-good copy made by one serves the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HomeScreen } from '../../contracts/mobile/index.ts';
import { contractClients } from '../../services/testing/index.ts';
import {
  redisSkipReason,
  startRedisServer,
  type RedisServer,
  type TestGateway,
} from '../../testing/index.ts';
import { ConnectionDropped, ScriptedPhone } from './testing/scriptedPhone.ts';
import { startMobileStack, type MobileStack } from './testing/startMobileStack.ts';

const skip = redisSkipReason();
// eslint-disable-next-line no-console -- a skip must be loud
if (skip) console.warn(`bff/mobile/redis.e2e.ts: ${skip}`);

describe.skipIf(skip !== undefined)('mobile-bff with Redis', () => {
  let redis: RedisServer;
  let stack: MobileStack;
  let second: TestGateway;
  beforeAll(async () => {
    redis = await startRedisServer();
    stack = await startMobileStack({ redisUrl: redis.url });
    second = await stack.secondGateway();
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  });

  it('applies an action once across instances and shares last-good copies', async () => {
    const student = await stack.services.createUser('student');
    const { appointments } = await contractClients(stack.services.urls);
    const booked = await appointments.request('POST', '/appointments', {
      token: student.accessToken,
      json: {
        serviceType: 'counseling',
        startsAt: new Date(Date.UTC(new Date().getUTCFullYear() + 1, 8, 1, 9)).toISOString(),
      },
    });
    const one = new ScriptedPhone({ gatewayUrl: stack.gateway.url, token: student.accessToken });
    const two = new ScriptedPhone({ gatewayUrl: second.url, token: student.accessToken });
    try {
      one.act({ type: 'editNotes', appointment: booked.body.id, notes: 'once' });
      await expect(one.replay({ dropMidResponse: true })).rejects.toBeInstanceOf(ConnectionDropped);
      two.queue.push(...one.queue);
      const [answer] = await two.replay();
      expect(answer!.status).toBe('duplicate');
      expect(answer!.original!.status).toBe('applied');

      expect(HomeScreen.parse((await one.screen('/mobile/v1/home')).json).programs.status).toBe('fresh');
      await stack.programsLink.kill();
      const home = HomeScreen.parse((await two.screen('/mobile/v1/home', { revalidate: false })).json);
      expect(home.programs.status).toBe('stale');
      expect(home.appointments.status).toBe('fresh');
    } finally {
      await stack.programsLink.revive();
      one.close();
      two.close();
    }
  });
});

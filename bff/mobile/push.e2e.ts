// Push: a staff member's status change reaches each of the student's registered devices once,
// through the appointments outbox, over FCM's HTTP v1 API at a local endpoint that fails often.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceRegistration, HomeScreen } from '../../contracts/mobile/index.ts';
import { contractClients, type ContractClient } from '../../services/testing/index.ts';
import { until } from '../../testing/index.ts';
import { ScriptedPhone } from './testing/scriptedPhone.ts';
import { startMobileStack, type MobileStack } from './testing/startMobileStack.ts';

let stack: MobileStack;
let appointments: ContractClient;

beforeAll(async () => {
  // Every other attempt fails with 503: the first attempt of all fails, and some retries too.
  stack = await startMobileStack({ fcmFailWhen: (attempt) => attempt % 2 === 1 });
  appointments = (await contractClients(stack.services.urls)).appointments;
});
afterAll(async () => {
  await stack?.stop();
});

const outboxStates = async () =>
  (
    await stack.services.db.query<{ state: string; n: string }>(
      'select state, count(*) as n from appointments.push_outbox group by state order by state',
    )
  ).rows.map((row) => [row.state, Number(row.n)]);

describe('push on a staff status change', () => {
  it('sends one push to each registered device, retrying the failed attempts', async () => {
    const student = await stack.services.createUser('student');
    const staff = await stack.services.createUser('staff');
    const phone = new ScriptedPhone({ gatewayUrl: stack.gateway.url, token: student.accessToken });
    const tokens = ['fcm-token-phone-1', 'fcm-token-tablet-2'];
    const devices = [];
    for (const [index, token] of tokens.entries()) {
      const response = await phone.request('POST', '/mobile/v1/devices', {
        json: { token, platform: index === 0 ? 'android' : 'ios', appVersion: '3.2.1' },
      });
      expect(response.status).toBe(201);
      devices.push(DeviceRegistration.parse(response.json));
    }
    const booked = await appointments.request('POST', '/appointments', {
      token: student.accessToken,
      json: {
        serviceType: 'counseling',
        startsAt: new Date(Date.UTC(new Date().getUTCFullYear() + 1, 6, 1, 10)).toISOString(),
      },
    });
    expect(booked.status).toBe(201);
    // The student's own change tells no one.
    const confirmed = await fetch(`${stack.gateway.url}/api/v1/appointments/${booked.body.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${staff.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'confirmed' }),
    });
    expect(confirmed.status).toBe(200);

    await until('both devices got their push', async () => stack.fcm.delivered.length >= 2);
    await until(
      'the outbox is drained',
      async () => JSON.stringify(await outboxStates()) === JSON.stringify([['sent', 2]]),
    );
    expect(stack.fcm.delivered.map((message) => message.token).sort()).toEqual([...tokens].sort());
    expect(stack.fcm.delivered.every((message) => message.data?.appointmentId === booked.body.id)).toBe(true);
    expect(stack.fcm.delivered.every((message) => message.data?.status === 'confirmed')).toBe(true);
    const failed = stack.fcm.attempts.filter((attempt) => attempt.status === 503);
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(stack.fcm.attempts).toHaveLength(stack.fcm.delivered.length + failed.length);

    // The home screen shows it as an unread notice.
    const home = HomeScreen.parse((await phone.screen('/mobile/v1/home')).json);
    expect(home.notices.unread).toBe(1);
    expect(home.notices.items[0]!.appointment).toBe(booked.body.id);

    // A removed device gets nothing more.
    expect((await phone.request('DELETE', `/mobile/v1/devices/${devices[1]!.id}`)).status).toBe(204);
    const completed = await fetch(`${stack.gateway.url}/api/v1/appointments/${booked.body.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${staff.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'completed' }),
    });
    expect(completed.status).toBe(200);
    await until('the remaining device got the second push', async () => stack.fcm.delivered.length >= 3);
    // The removed device's outbox rows went with it: two sent rows remain, none pending.
    await until(
      'the outbox is drained again',
      async () => JSON.stringify(await outboxStates()) === JSON.stringify([['sent', 2]]),
    );
    expect(stack.fcm.delivered[2]!.token).toBe(tokens[0]);
    phone.close();
  });
});

// The screens against real services through a real gateway: one request per screen, the
// contracts/mobile shapes, ETag/304, compression, sparse fieldsets, and a stale section when a
// service is down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppointmentsScreen,
  HomeScreen,
  ProgramsScreen,
  ResourcesScreen,
  SlotsScreen,
} from '../../contracts/mobile/index.ts';
import { contractClients, type ContractClient, type TestUser } from '../../services/testing/index.ts';
import { ScriptedPhone } from './testing/scriptedPhone.ts';
import { startMobileStack, type MobileStack } from './testing/startMobileStack.ts';

let stack: MobileStack;
let student: TestUser;
let phone: ScriptedPhone;
let appointments: ContractClient;

let slot = 0;
const nextSlot = () =>
  new Date(Date.UTC(new Date().getUTCFullYear() + 1, 2, 1, 9) + ++slot * 30 * 60_000).toISOString();

beforeAll(async () => {
  stack = await startMobileStack();
  student = await stack.services.createUser('student');
  appointments = (await contractClients(stack.services.urls)).appointments;
  for (let i = 0; i < 4; i += 1) {
    const booked = await appointments.request('POST', '/appointments', {
      token: student.accessToken,
      json: { serviceType: 'counseling', startsAt: nextSlot() },
    });
    expect(booked.status).toBe(201);
  }
  phone = new ScriptedPhone({ gatewayUrl: stack.gateway.url, token: student.accessToken });
});
afterAll(async () => {
  phone?.close();
  await stack?.stop();
});

describe('GET /mobile/v1/home', () => {
  it('answers one request with four fresh sections in the compact shape', async () => {
    const response = await phone.screen('/mobile/v1/home');
    expect(response.status).toBe(200);
    const home = HomeScreen.parse(response.json);
    expect(Object.values(home).map((section) => section.status)).toEqual([
      'fresh',
      'fresh',
      'fresh',
      'fresh',
    ]);
    expect(home.appointments.items).toHaveLength(3);
    expect(home.appointments.items[0]!.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/);
    expect(response.headers.etag).toMatch(/^W\/"/);
  });

  it('answers a repeat with If-None-Match with 304 and no body', async () => {
    const response = await phone.screen('/mobile/v1/home');
    expect(response.status).toBe(304);
    expect(response.body.length).toBe(0);
  });

  it('gives the same ETag to the same content on another gateway instance', async () => {
    const second = await stack.secondGateway();
    const elsewhere = new ScriptedPhone({ gatewayUrl: second.url, token: student.accessToken });
    const first = await phone.screen('/mobile/v1/programs', { revalidate: false });
    const there = await elsewhere.screen('/mobile/v1/programs');
    elsewhere.close();
    expect(there.status).toBe(200);
    expect(there.headers.etag).toBe(first.headers.etag);
  });

  it('with programs down answers 200: programs stale with its age, the others fresh', async () => {
    await stack.programsLink.kill();
    try {
      const response = await phone.screen('/mobile/v1/home', { revalidate: false });
      expect(response.status).toBe(200);
      const home = HomeScreen.parse(response.json);
      expect(home.programs.status).toBe('stale');
      expect(home.programs.age).toBeGreaterThanOrEqual(0);
      expect(home.appointments.status).toBe('fresh');
      expect(home.resources.status).toBe('fresh');
      expect(home.notices.status).toBe('fresh');
      // No last good copy for this user: unavailable, still 200.
      const other = await stack.services.createUser('student');
      const fresh = new ScriptedPhone({ gatewayUrl: stack.gateway.url, token: other.accessToken });
      const blank = HomeScreen.parse((await fresh.screen('/mobile/v1/home')).json);
      fresh.close();
      expect(blank.programs.status).toBe('unavailable');
      expect(blank.appointments.status).toBe('fresh');
    } finally {
      await stack.programsLink.revive();
    }
  });

  it('keeps only the fields asked for, with each section status', async () => {
    const response = await phone.screen('/mobile/v1/home?fields=appointments.id,notices.unread', {
      revalidate: false,
    });
    expect(response.status).toBe(200);
    expect(Object.keys(response.json)).toEqual(['appointments', 'notices']);
    expect(Object.keys(response.json.appointments.items[0])).toEqual(['id']);
    expect(response.json.notices).toEqual({ status: 'fresh', unread: 0 });
    const bad = await phone.screen('/mobile/v1/home?fields=nothing', { revalidate: false });
    expect(bad.status).toBe(400);
  });
});

describe('list screens', () => {
  it('pages appointments by cursor', async () => {
    const first = AppointmentsScreen.parse((await phone.screen('/mobile/v1/appointments?limit=3')).json);
    expect(first.appointments.items).toHaveLength(3);
    expect(first.appointments.next).toBeDefined();
    const second = AppointmentsScreen.parse(
      (await phone.screen(`/mobile/v1/appointments?limit=3&cursor=${first.appointments.next}`)).json,
    );
    expect(second.appointments.items).toHaveLength(1);
    expect(second.appointments.next).toBeUndefined();
  });

  it('lists programs and resources, and the free slots of a day', async () => {
    const programs = ProgramsScreen.parse((await phone.screen('/mobile/v1/programs?limit=5')).json);
    expect(programs.programs.status).toBe('fresh');
    const resources = ResourcesScreen.parse((await phone.screen('/mobile/v1/resources')).json);
    expect(resources.resources.status).toBe('fresh');
    const date = nextSlot().slice(0, 10);
    const slots = SlotsScreen.parse(
      (await phone.screen(`/mobile/v1/appointments/slots?type=counseling&date=${date}`)).json,
    );
    expect(slots.slots.status).toBe('fresh');
  });

  it('compresses a large answer with brotli or gzip as asked, not a small one', async () => {
    const brotli = await phone.request('GET', '/mobile/v1/programs?limit=100', {
      headers: { 'accept-encoding': 'br' },
    });
    const gzip = await phone.request('GET', '/mobile/v1/programs?limit=100', {
      headers: { 'accept-encoding': 'gzip' },
    });
    const plain = await phone.request('GET', '/mobile/v1/programs?limit=100', {
      headers: { 'accept-encoding': 'identity' },
    });
    expect(plain.body.length).toBeGreaterThan(1024);
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(brotli.body.equals(plain.body)).toBe(true);
    expect(brotli.wireBytes).toBeLessThan(plain.wireBytes);
    const small = await phone.request('GET', '/mobile/v1/appointments?limit=1', {
      headers: { 'accept-encoding': 'br' },
    });
    expect(small.headers['content-encoding']).toBeUndefined();
  });

  it('refuses a phone without a token', async () => {
    const response = await fetch(`${stack.gateway.url}/mobile/v1/home`);
    expect(response.status).toBe(401);
  });
});

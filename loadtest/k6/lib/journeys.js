// The user journeys every script runs; scripts differ only in how many users arrive and when.
//
// A student: signs in (or, now and then, signs up) → browses and searches programs → books an
// appointment → lists their appointments → downloads a resource. Think times between screens are
// THINK_TIME seconds on average with ±50% jitter, so VUs do not move in lockstep.
import http from 'k6/http';
import exec from 'k6/execution';
import { group, sleep } from 'k6';
import { SharedArray } from 'k6/data';
import { Counter } from 'k6/metrics';
import { API_URL, jsonRequestParams, queryString, requestParams } from './api.js';
import { logout, signUpNewUser, vuPoolSession } from './auth.js';
import {
  APPOINTMENT_FIELDS,
  PROBLEM_FIELDS,
  PROGRAM_FIELDS,
  RESOURCE_FIELDS,
  checkResponse,
  hasFields,
  isListOf,
} from './checks.js';

const bookingConflicts = new Counter('booking_conflicts');
const downloadsSkipped = new Counter('resource_downloads_skipped');

// Read-only data shared by all VUs of an instance instead of copied into each one.
const searchTerms = new SharedArray('program search terms', () => [
  'yoga',
  'mindfulness',
  'nutrition',
  'sleep',
  'stress',
  'fitness',
  'counseling',
  'meditation',
  'running',
  'wellbeing',
  'study skills',
  'peer support',
]);

const PAGE_SIZE = 20;
const FILTER_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

// One booking slot per iteration across the whole test (iterationInTest is unique across
// distributed runners too), a minute apart, wrapping after a year: a 409 only comes from a wrap or
// from a slot an earlier run booked, and it is checked as an expected outcome, not a failure.
const SLOT_MS = 60 * 1000;
const SLOTS = 365 * 24 * 60;
const BOOKING_OUTCOMES = http.expectedStatuses(201, 409);

// Downloads ask for the first 64 KiB, as a PDF viewer fetching the first pages does.
const DOWNLOAD_RANGE = 'bytes=0-65535';

function thinkTime(settings) {
  sleep(settings.thinkTimeSeconds * (0.5 + Math.random()));
}

function pickOne(items) {
  return items[Math.floor(Math.random() * items.length)];
}

/** Lists programs, opens one, searches, and filters by the opened program's category. */
export function browsePrograms(client, settings) {
  group('browse programs', () => {
    const listed = checkResponse(
      http.get(
        `${API_URL}/programs${queryString({ limit: PAGE_SIZE })}`,
        requestParams('programs_list', client),
      ),
      'programs_list',
      [200],
      { 200: (body) => isListOf(body, PROGRAM_FIELDS) },
    );
    thinkTime(settings);

    const program = listed.ok && listed.body.items.length > 0 ? pickOne(listed.body.items) : null;
    if (program !== null) {
      checkResponse(
        http.get(
          `${API_URL}/programs/${encodeURIComponent(program.id)}`,
          requestParams('programs_get', client),
        ),
        'programs_get',
        [200],
        { 200: (body) => hasFields(body, PROGRAM_FIELDS) && body.id === program.id },
      );
      thinkTime(settings);
    }

    const term = searchTerms[Math.floor(Math.random() * searchTerms.length)];
    checkResponse(
      http.get(
        `${API_URL}/programs/search${queryString({ q: term, limit: PAGE_SIZE })}`,
        requestParams('programs_search', client),
      ),
      'programs_search',
      [200],
      { 200: (body) => isListOf(body, PROGRAM_FIELDS) },
    );
    thinkTime(settings);

    const now = Date.now();
    checkResponse(
      http.get(
        `${API_URL}/programs/filter${queryString({
          category: program !== null ? program.category : undefined,
          from: new Date(now).toISOString(),
          to: new Date(now + FILTER_WINDOW_MS).toISOString(),
          limit: PAGE_SIZE,
        })}`,
        requestParams('programs_filter', client),
      ),
      'programs_filter',
      [200],
      { 200: (body) => isListOf(body, PROGRAM_FIELDS) },
    );
    thinkTime(settings);
  });
}

/** Books a slot; returns the new appointment's id, or null (slot taken, or the booking failed). */
function bookAppointment(client, data, settings) {
  return group('book appointment', () => {
    const slot = exec.scenario.iterationInTest % SLOTS;
    const booked = checkResponse(
      http.post(
        `${API_URL}/appointments`,
        JSON.stringify({
          serviceType: settings.serviceType,
          startsAt: new Date(data.slotEpochMs + slot * SLOT_MS).toISOString(),
          notes: 'Booked by the k6 load test',
        }),
        jsonRequestParams('appointments_create', client, { responseCallback: BOOKING_OUTCOMES }),
      ),
      'appointments_create',
      [201, 409],
      {
        201: (body) => hasFields(body, APPOINTMENT_FIELDS),
        409: (body) => hasFields(body, PROBLEM_FIELDS) && body.status === 409,
      },
    );
    if (booked.status === 409) bookingConflicts.add(1);
    thinkTime(settings);
    return booked.ok && booked.status === 201 ? booked.body.id : null;
  });
}

function reviewAppointments(client, bookedId, settings) {
  group('my appointments', () => {
    checkResponse(
      http.get(
        `${API_URL}/appointments${queryString({ limit: PAGE_SIZE })}`,
        requestParams('appointments_list', client),
      ),
      'appointments_list',
      [200],
      { 200: (body) => isListOf(body, APPOINTMENT_FIELDS) },
    );
    if (bookedId !== null) {
      checkResponse(
        http.get(
          `${API_URL}/appointments/${encodeURIComponent(bookedId)}`,
          requestParams('appointments_get', client),
        ),
        'appointments_get',
        [200],
        { 200: (body) => hasFields(body, APPOINTMENT_FIELDS) && body.id === bookedId },
      );
    }
    thinkTime(settings);
  });
}

/** Lists resources and downloads the first 64 KiB of one; skipped when staff published none. */
function downloadResource(client, settings) {
  group('download resource', () => {
    const listed = checkResponse(
      http.get(
        `${API_URL}/resources${queryString({ limit: PAGE_SIZE })}`,
        requestParams('resources_list', client),
      ),
      'resources_list',
      [200],
      { 200: (body) => isListOf(body, RESOURCE_FIELDS) },
    );
    if (!listed.ok || listed.body.items.length === 0) {
      downloadsSkipped.add(1);
      return;
    }
    const resource = pickOne(listed.body.items);
    // responseType 'none': the bytes are counted but never held in VU memory (100k VUs).
    const res = http.get(
      `${API_URL}/resources/${encodeURIComponent(resource.id)}/download`,
      requestParams('resources_download', client, {
        headers: { Range: DOWNLOAD_RANGE },
        responseType: 'none',
      }),
    );
    checkResponse(res, 'resources_download', [206], {
      206: (_body, r) =>
        /^bytes 0-\d+\/\d+$/.test(r.headers['Content-Range'] || '') &&
        (r.headers['Content-Type'] || '').startsWith('application/pdf'),
    });
    thinkTime(settings);
  });
}

/**
 * The full journey. Every round(1 / registerRatio)-th iteration of the scenario signs up a new
 * user (and logs out at the end); the others reuse the VU's pool session, re-checked before each
 * step so a token never expires mid-journey.
 */
export function studentJourney(data, settings) {
  const signsUp =
    settings.registerRatio > 0 &&
    exec.scenario.iterationInTest % Math.round(1 / settings.registerRatio) === 0;
  const newUserSession = signsUp ? signUpNewUser(data.pool) : null;
  const steps = [
    (client) => browsePrograms(client, settings),
    (client) => {
      const bookedId = bookAppointment(client, data, settings);
      reviewAppointments(client, bookedId, settings);
    },
    (client) => downloadResource(client, settings),
  ];
  for (const step of steps) {
    const session = signsUp ? newUserSession : vuPoolSession(data.pool);
    if (session === null) {
      // The failed auth check is already recorded; back off instead of hammering the login.
      thinkTime(settings);
      return;
    }
    step({ clientId: exec.vu.idInTest, session });
  }
  if (signsUp) logout(newUserSession);
}

/** Anonymous traffic: someone browsing programs without signing in (programs allow that). */
export function anonymousBrowse(settings) {
  browsePrograms({ clientId: exec.vu.idInTest }, settings);
}

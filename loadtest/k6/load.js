// Load: the expected busy-hour traffic. VUS signed-in students walk the journey (closed model:
// each VU is one user with think times), while RATE anonymous visitors a second browse programs
// (open model: arrivals do not wait for slow responses).
//
//   k6 run loadtest/k6/load.js
//   BASE_URL=https://staging.example VUS=500 USERS=2000 RATE=10 DURATION=30m k6 run loadtest/k6/load.js
import { envDuration, envInt, journeySettingsFromEnv, userPoolFromEnv } from './lib/config.js';
import { anonymousBrowse, studentJourney } from './lib/journeys.js';
import { prepareTestData, setupOptions } from './lib/setup.js';
import { SLA_THRESHOLDS } from './lib/thresholds.js';

const VUS = envInt('VUS', 200);
const RATE = envInt('RATE', 5);
const RAMP_UP = envDuration('RAMP_UP', '2m');
const DURATION = envDuration('DURATION', '10m');
// One pool user per VU (VU n signs in as pool user n - 1): each user stays far under the 100
// requests/min per-user limit, and setup registers no user that no VU signs in as.
const POOL = userPoolFromEnv(VUS);
const JOURNEY = journeySettingsFromEnv({ thinkTimeSeconds: 3, registerRatio: 0.01 });

export const options = {
  ...setupOptions(POOL),
  scenarios: {
    students: {
      executor: 'ramping-vus',
      exec: 'userJourney',
      startVUs: 0,
      stages: [
        { duration: RAMP_UP, target: VUS },
        { duration: DURATION, target: VUS },
        { duration: '1m', target: 0 },
      ],
      gracefulRampDown: '1m',
    },
    anonymous_visitors: {
      executor: 'constant-arrival-rate',
      exec: 'visitorBrowse',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      startTime: RAMP_UP,
      // A visit is four requests and four think times (~12 s at THINK_TIME=3).
      preAllocatedVUs: Math.max(1, RATE * 15),
      maxVUs: Math.max(1, RATE * 40),
    },
  },
  thresholds: { ...SLA_THRESHOLDS },
};

export function setup() {
  return prepareTestData(POOL);
}

export function userJourney(data) {
  studentJourney(data, JOURNEY);
}

export function visitorBrowse() {
  anonymousBrowse(JOURNEY);
}

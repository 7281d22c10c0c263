// Stress: journeys arrive at a rate that climbs in steps from 20% to 160% of RATE, holding each
// step long enough to read steady-state latency. RATE is the rate the system is expected to
// carry; the knee is the first step where p95 latency or the error rate leaves its threshold
// (read it from the time series, e.g. `--out json` or a Prometheus output, per step).
// Arrival-rate, not VUs: a closed model slows down with the system and hides the knee.
//
//   RATE=100 MAX_VUS=5000 k6 run loadtest/k6/stress.js
//   RATE=10 MAX_VUS=300 STEP_RAMP=10s STEP_DURATION=30s k6 run loadtest/k6/stress.js   # 5 1/3 min
import { envDuration, envInt, journeySettingsFromEnv, userPoolFromEnv } from './lib/config.js';
import { studentJourney } from './lib/journeys.js';
import { prepareTestData, setupOptions } from './lib/setup.js';
import { SLA_THRESHOLDS } from './lib/thresholds.js';

const RATE = envInt('RATE', 50);
const STEP_DURATION = envDuration('STEP_DURATION', '3m');
const STEP_RAMP = envDuration('STEP_RAMP', '30s');
const MAX_VUS = envInt('MAX_VUS', 4000);
const STEP_FRACTIONS = [0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6];
const POOL = userPoolFromEnv(MAX_VUS);
// Shorter thinking than load.js: the point is throughput, but a journey still paces like a user.
const JOURNEY = journeySettingsFromEnv({ thinkTimeSeconds: 1, registerRatio: 0.01 });

export const options = {
  ...setupOptions(POOL),
  scenarios: {
    rising_arrivals: {
      executor: 'ramping-arrival-rate',
      exec: 'userJourney',
      startRate: 1,
      timeUnit: '1s',
      // Each step: STEP_RAMP (30 s) to reach the new rate, then hold it.
      stages: STEP_FRACTIONS.flatMap((fraction) => [
        { duration: STEP_RAMP, target: Math.ceil(RATE * fraction) },
        { duration: STEP_DURATION, target: Math.ceil(RATE * fraction) },
      ]),
      // A journey takes ~10 s at THINK_TIME=1 when the system is healthy; past the knee it takes
      // longer and k6 needs more VUs to keep the arrival rate, up to MAX_VUS.
      preAllocatedVUs: Math.ceil(RATE * 10 * 0.2),
      maxVUs: MAX_VUS,
    },
  },
  thresholds: {
    ...SLA_THRESHOLDS,
    // Past the knee the SLA thresholds are expected to fail; this one stops the run once the
    // system is plainly broken (5% errors for a minute) instead of piling on load.
    http_req_failed: ['rate<0.001', { threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '1m' }],
  },
};

export function setup() {
  return prepareTestData(POOL);
}

export function userJourney(data) {
  studentJourney(data, JOURNEY);
}

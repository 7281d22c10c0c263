// Spike: a steady baseline, then SPIKE_VUS users arrive within 10 s (a timetable release, an
// all-students email), stay for SPIKE_DURATION, leave as fast, and the baseline runs on for a
// recovery window. What to read: errors and latency during the spike (does load shedding answer
// 503 + Retry-After instead of timing out?) and whether the recovery window returns to baseline.
//
//   VUS=100 SPIKE_VUS=3000 k6 run loadtest/k6/spike.js
//   BASELINE_DURATION=30s SPIKE_DURATION=1m RECOVERY_DURATION=1m k6 run loadtest/k6/spike.js   # 4 1/3 min
import { envDuration, envInt, journeySettingsFromEnv, userPoolFromEnv } from './lib/config.js';
import { studentJourney } from './lib/journeys.js';
import { prepareTestData, setupOptions } from './lib/setup.js';
import { SLA_THRESHOLDS } from './lib/thresholds.js';

const VUS = envInt('VUS', 100);
const SPIKE_VUS = envInt('SPIKE_VUS', 2000);
const SPIKE_DURATION = envDuration('SPIKE_DURATION', '3m');
const BASELINE_DURATION = envDuration('BASELINE_DURATION', '2m');
const RECOVERY_DURATION = envDuration('RECOVERY_DURATION', '3m');
const POOL = userPoolFromEnv(SPIKE_VUS);
const JOURNEY = journeySettingsFromEnv({ thinkTimeSeconds: 3, registerRatio: 0.01 });

export const options = {
  ...setupOptions(POOL),
  scenarios: {
    spike: {
      executor: 'ramping-vus',
      exec: 'userJourney',
      startVUs: 0,
      stages: [
        { duration: '1m', target: VUS },
        { duration: BASELINE_DURATION, target: VUS },
        { duration: '10s', target: SPIKE_VUS },
        { duration: SPIKE_DURATION, target: SPIKE_VUS },
        { duration: '10s', target: VUS },
        { duration: RECOVERY_DURATION, target: VUS },
        { duration: '30s', target: 0 },
      ],
      gracefulRampDown: '30s',
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

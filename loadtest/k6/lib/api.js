// Request parameters shared by every call: endpoint-name tags (so URLs that carry ids still
// aggregate into one metric per endpoint), bearer tokens and the optional synthetic client address.
import { API_URL, CLIENT_IP_HEADER } from './config.js';

export { API_URL };

// RFC 2544 reserves 198.18.0.0/15 for benchmarking: 131,072 addresses, enough for one per VU of
// the 100k run, and never a real client's.
const BENCHMARK_NET_SIZE = 131072;

export function syntheticClientAddress(clientId) {
  const n = clientId % BENCHMARK_NET_SIZE;
  return `198.${18 + Math.floor(n / 65536)}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

/**
 * @param name endpoint name, becomes the `name` tag of the request's metrics
 * @param client `{ clientId, session? }`: who is calling (a VU or a pool user) and with what tokens
 * @param extra more k6 request params (`headers` are merged, the rest overrides)
 */
export function requestParams(name, client, extra = {}) {
  const headers = { Accept: 'application/json' };
  if (client.session) headers.Authorization = `Bearer ${client.session.accessToken}`;
  if (CLIENT_IP_HEADER) headers[CLIENT_IP_HEADER] = syntheticClientAddress(client.clientId);
  return { ...extra, headers: { ...headers, ...extra.headers }, tags: { name } };
}

export function jsonRequestParams(name, client, extra = {}) {
  return requestParams(name, client, {
    ...extra,
    headers: { 'Content-Type': 'application/json', ...extra.headers },
  });
}

export function queryString(params) {
  const pairs = Object.keys(params)
    .filter((key) => params[key] !== undefined && params[key] !== null)
    .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(params[key])}`);
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

// RFC 9457 problem details: the one error shape the edge and the services produce.

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** The request id, so a client's report can be matched to the logs. */
  instance?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TYPE_BASE = 'https://portico.dev/problems/';

/** Stable `type` URIs per status, so clients can switch on them. */
export function problemType(status: number): string {
  return TYPE_BASE + (PROBLEM_SLUGS[status] ?? `http-${status}`);
}

const PROBLEM_SLUGS: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'unprocessable-content',
  429: 'too-many-requests',
  500: 'internal-error',
  502: 'bad-gateway',
  503: 'service-unavailable',
  504: 'gateway-timeout',
};

export function problem(status: number, title: string, detail?: string, instance?: string): ProblemDetails {
  const body: ProblemDetails = { type: problemType(status), title, status };
  if (detail !== undefined) body.detail = detail;
  if (instance !== undefined) body.instance = instance;
  return body;
}

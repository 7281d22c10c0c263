// The header set is fixed per configuration, so it is computed once, not per response.
import type { SecurityHeadersOptions, SecurityHeadersRouteOptions } from './schema.ts';

export interface SecurityHeaderSet {
  /** Always set (overwrites). */
  set: Array<[string, string]>;
  /** Set only when the upstream's response did not carry the header. */
  setIfAbsent: Array<[string, string]>;
  remove: string[];
}

export function buildHeaders(
  options: SecurityHeadersOptions,
  route: SecurityHeadersRouteOptions = {},
): SecurityHeaderSet {
  const merged = { ...options, ...route };
  const set: Array<[string, string]> = [];
  const setIfAbsent: Array<[string, string]> = [];
  if (merged.contentTypeOptions) set.push(['x-content-type-options', 'nosniff']);
  if (merged.frameOptions) set.push(['x-frame-options', merged.frameOptions]);
  if (merged.referrerPolicy) set.push(['referrer-policy', merged.referrerPolicy]);
  if (merged.hsts) {
    const parts = [`max-age=${merged.hsts.maxAge}`];
    if (merged.hsts.includeSubDomains) parts.push('includeSubDomains');
    if (merged.hsts.preload) parts.push('preload');
    set.push(['strict-transport-security', parts.join('; ')]);
  }
  if (merged.crossOriginResourcePolicy)
    set.push(['cross-origin-resource-policy', merged.crossOriginResourcePolicy]);
  if (merged.contentSecurityPolicy)
    setIfAbsent.push(['content-security-policy', merged.contentSecurityPolicy]);
  return { set, setIfAbsent, remove: options.removeHeaders };
}

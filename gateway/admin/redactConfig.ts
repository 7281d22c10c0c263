// /config shows the effective config, never its secrets.
export const SECRET_KEY = /(secret|password|passphrase|token|credential|private|apikey|api_key|^key$)/i;

export function redactConfig(value: unknown, key = ''): unknown {
  if (SECRET_KEY.test(key) && value !== undefined && typeof value !== 'object') return '[redacted]';
  if (Array.isArray(value)) return value.map((item) => redactConfig(item));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([name, inner]) => [name, redactConfig(inner, name)]),
    );
  }
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(value)) {
    // A URL with a password in it (redis://user:pass@host).
    return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, '$1:[redacted]@');
  }
  return value;
}

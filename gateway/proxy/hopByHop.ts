// RFC 9110 §7.6.1: connection-specific headers are never forwarded, nor any header the
// Connection header names.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/** Names to drop from `headers`: the fixed hop-by-hop set plus those listed in its Connection header. */
export function hopByHopNames(headers: IncomingHttpHeaders | OutgoingHttpHeaders): string[] {
  const connection = headers.connection;
  if (!connection) return HOP_BY_HOP;
  const listed = String(connection)
    .toLowerCase()
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return [...HOP_BY_HOP, ...listed];
}

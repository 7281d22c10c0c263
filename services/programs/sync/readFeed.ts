// Reads a feed's XML from an http(s) URL, a file: URL or a plain path, within a time limit.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const MAX_FEED_BYTES = 5 * 1024 * 1024;

export async function readFeed(source: string, timeoutMs: number): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    const response = await fetch(source, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5' },
    });
    if (!response.ok) throw new Error(`${source} answered ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_FEED_BYTES) throw new Error(`${source} is larger than ${MAX_FEED_BYTES} bytes`);
    return text;
  }
  const path = source.startsWith('file:') ? fileURLToPath(source) : source;
  const text = await readFile(path, { encoding: 'utf8', signal: AbortSignal.timeout(timeoutMs) });
  if (text.length > MAX_FEED_BYTES) throw new Error(`${source} is larger than ${MAX_FEED_BYTES} bytes`);
  return text;
}

// The BFF's pure parts: sparse fieldsets, ETags, encoding negotiation, the clock rule, the sync
// cursor, the bounded store.
import { describe, expect, it } from 'vitest';
import { chooseEncoding } from './http/chooseEncoding.ts';
import { entityTag, matchesIfNoneMatch } from './http/entityTag.ts';
import { parseFields, pickFields } from './http/pickFields.ts';
import { shortDate } from './compact.ts';
import { clockCorrection, effectiveTime } from './replay/effectiveTime.ts';
import { weekOf } from './screens/homeScreen.ts';
import { memoryStore } from './stores/memory.ts';
import { encodeSyncCursor, readSyncCursor } from './sync/syncCursor.ts';

describe('sparse fieldsets', () => {
  const screen = {
    appointments: { status: 'fresh', items: [{ id: 'a', at: 'x', type: 't' }], next: 'c' },
    notices: { status: 'stale', age: 4, unread: 2, items: [{ id: 'n', title: 't' }] },
  };
  it('keeps named sections, item fields through arrays, and every section status', () => {
    expect(pickFields(screen, parseFields('appointments.id,notices.unread'))).toEqual({
      appointments: { status: 'fresh', items: [{ id: 'a' }], next: 'c' },
      notices: { status: 'stale', age: 4, unread: 2 },
    });
    expect(pickFields(screen, parseFields('notices'))).toEqual({ notices: screen.notices });
    expect(pickFields(screen, parseFields(' , '))).toBe(screen);
  });
});

describe('entity tags', () => {
  it('come from the content alone and match weakly, in lists and with *', () => {
    const tag = entityTag(Buffer.from('{"a":1}'));
    expect(entityTag(Buffer.from('{"a":1}'))).toBe(tag);
    expect(entityTag(Buffer.from('{"a":2}'))).not.toBe(tag);
    expect(matchesIfNoneMatch(tag, tag)).toBe(true);
    expect(matchesIfNoneMatch(`"x", ${tag.slice(2)}`, tag)).toBe(true);
    expect(matchesIfNoneMatch('*', tag)).toBe(true);
    expect(matchesIfNoneMatch('"other"', tag)).toBe(false);
    expect(matchesIfNoneMatch(undefined, tag)).toBe(false);
  });
});

describe('Accept-Encoding', () => {
  it.each([
    ['br, gzip', 'br'],
    ['gzip', 'gzip'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['*', 'br'],
    ['deflate', 'identity'],
    [undefined, 'identity'],
  ])('%s → %s', (header, encoding) => expect(chooseEncoding(header)).toBe(encoding));
});

describe('the clock rule', () => {
  const arrival = Date.parse('2026-12-01T12:00:00Z');
  it('corrects a phone clock a day ahead by the difference at sending time', () => {
    const correction = clockCorrection('2026-12-02T12:00:00Z', arrival, 60_000);
    expect(correction).toBe(-86_400_000);
    expect(effectiveTime('2026-12-02T11:50:00Z', correction, arrival)).toBe('2026-12-01T11:50:00.000Z');
  });
  it('leaves a clock within the tolerance alone, and lets nothing count after its arrival', () => {
    expect(clockCorrection('2026-12-01T12:00:30Z', arrival, 60_000)).toBe(0);
    expect(effectiveTime('2026-12-01T12:00:30Z', 0, arrival)).toBe('2026-12-01T12:00:00.000Z');
    expect(effectiveTime('2026-12-01T11:00:00Z', 0, arrival)).toBe('2026-12-01T11:00:00.000Z');
    expect(clockCorrection(undefined, arrival, 60_000)).toBe(0);
  });
});

describe('the sync cursor', () => {
  const position = { programs: 3, resources: 0, appointments: 17 };
  it('reads back for its user, and is unknown to another user or when altered', () => {
    const cursor = encodeSyncCursor('u1', position, 1000);
    expect(readSyncCursor('u1', cursor, 2000, 10_000)).toEqual({ ok: true, position });
    expect(readSyncCursor('u2', cursor, 2000, 10_000)).toEqual({ ok: false, why: 'unknown' });
    expect(readSyncCursor('u1', `x${cursor}`, 2000, 10_000)).toEqual({ ok: false, why: 'unknown' });
    expect(readSyncCursor('u1', 'garbage', 2000, 10_000)).toEqual({ ok: false, why: 'unknown' });
  });
  it('expires', () => {
    const cursor = encodeSyncCursor('u1', position, 1000);
    expect(readSyncCursor('u1', cursor, 1000 + 10_001, 10_000)).toEqual({ ok: false, why: 'expired' });
  });
});

describe('the memory store', () => {
  it('is bounded (least recently used goes first) and expires entries', async () => {
    let now = 0;
    const store = memoryStore(2, () => now);
    await store.set('a', '1', 100);
    await store.set('b', '2', 100);
    await store.get('a');
    await store.set('c', '3', 100);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe('1');
    expect(await store.setIfAbsent('a', 'x', 100)).toBe(false);
    now = 100;
    expect(await store.get('a')).toBeUndefined();
    expect(await store.setIfAbsent('a', 'x', 100)).toBe(true);
  });
});

describe('dates', () => {
  it('are short, and the week starts on Monday (UTC)', () => {
    expect(shortDate('2026-12-01T10:00:00.000Z')).toBe('2026-12-01T10:00Z');
    expect(shortDate('2026-12-01T10:00:05.000Z')).toBe('2026-12-01T10:00:05Z');
    expect(weekOf(new Date('2026-12-03T15:00:00Z'))).toEqual({
      from: '2026-11-30T00:00:00.000Z',
      to: '2026-12-06T23:59:59.999Z',
    });
  });
});

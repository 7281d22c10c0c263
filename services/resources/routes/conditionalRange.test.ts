import { describe, expect, it } from 'vitest';
import { planDownload } from './conditionalRange.ts';

const ETAG = '"abc"';

describe('planDownload', () => {
  it('serves the whole file without conditions', () => {
    expect(planDownload({}, ETAG, 100)).toEqual({ kind: 'full' });
  });

  it('answers 304 to a matching If-None-Match, weak or listed or *', () => {
    for (const ifNoneMatch of ['"abc"', 'W/"abc"', '"x", "abc"', '*']) {
      expect(planDownload({ ifNoneMatch, range: 'bytes=0-1' }, ETAG, 100)).toEqual({ kind: 'not-modified' });
    }
    expect(planDownload({ ifNoneMatch: '"other"' }, ETAG, 100)).toEqual({ kind: 'full' });
  });

  it('plans single byte ranges, clamping the end to the file', () => {
    expect(planDownload({ range: 'bytes=0-9' }, ETAG, 100)).toEqual({ kind: 'partial', start: 0, end: 9 });
    expect(planDownload({ range: 'bytes=90-' }, ETAG, 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(planDownload({ range: 'bytes=90-500' }, ETAG, 100)).toEqual({
      kind: 'partial',
      start: 90,
      end: 99,
    });
    expect(planDownload({ range: 'bytes=-10' }, ETAG, 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(planDownload({ range: 'bytes=-500' }, ETAG, 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
  });

  it('says unsatisfiable for ranges outside the file', () => {
    expect(planDownload({ range: 'bytes=100-' }, ETAG, 100)).toEqual({ kind: 'unsatisfiable' });
    expect(planDownload({ range: 'bytes=-0' }, ETAG, 100)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores unparseable, multiple and reversed ranges, and stale If-Range', () => {
    for (const range of ['bytes=a-b', 'items=0-1', 'bytes=0-1,5-6', 'bytes=9-2', 'bytes=-']) {
      expect(planDownload({ range }, ETAG, 100)).toEqual({ kind: 'full' });
    }
    expect(planDownload({ range: 'bytes=0-1', ifRange: '"old"' }, ETAG, 100)).toEqual({ kind: 'full' });
    expect(planDownload({ range: 'bytes=0-1', ifRange: ETAG }, ETAG, 100)).toEqual({
      kind: 'partial',
      start: 0,
      end: 1,
    });
  });
});

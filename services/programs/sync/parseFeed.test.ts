import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { BUNDLED_FEEDS } from '../config.ts';
import { parseFeed } from './parseFeed.ts';

describe('parseFeed', () => {
  it('reads the bundled RSS 2.0 feed with categories and event dates', async () => {
    const programs = await parseFeed(await readFile(BUNDLED_FEEDS[0] as string, 'utf8'));
    expect(programs).toHaveLength(16);
    expect(programs[0]).toEqual({
      guid: 'nfu-wellness-2026-001',
      title: 'Mindfulness Mondays',
      summary: expect.stringContaining('guided meditation'),
      category: 'Mental Health',
      link: 'https://wellness.northfield.example.edu/programs/mindfulness-mondays',
      startsAt: '2026-12-08T18:00:00.000Z',
      endsAt: '2026-12-08T19:00:00.000Z',
    });
    expect(programs.every((p) => p.category && p.startsAt && p.endsAt)).toBe(true);
  });

  it('reads the bundled Atom feed, taking the category term and entry id', async () => {
    const programs = await parseFeed(await readFile(BUNDLED_FEEDS[1] as string, 'utf8'));
    expect(programs).toHaveLength(4);
    expect(programs[1]).toMatchObject({
      guid: 'urn:northfield:studentlife:wellness:002',
      category: 'Mental Health',
    });
  });

  it('throws on XML that does not parse and on documents that are not feeds', async () => {
    await expect(parseFeed('<rss><channel><item><title>x</title></chann')).rejects.toThrow();
    await expect(parseFeed('not xml at all')).rejects.toThrow();
  });

  it('skips items without a guid or a title', async () => {
    const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
      <item><title>Kept</title><guid>g1</guid></item><item><description>no title</description><guid>g2</guid></item>
      </channel></rss>`;
    expect((await parseFeed(xml)).map((p) => p.guid)).toEqual(['g1']);
  });
});

// RSS 2.0 and Atom to program records, with rss-parser. Event dates come from the RSS event
// module (`ev:startdate`, `ev:enddate`), which both sample feeds use.
import Parser from 'rss-parser';

export interface FeedProgram {
  guid: string;
  title: string;
  summary: string | null;
  category: string | null;
  link: string | null;
  startsAt: string | null;
  endsAt: string | null;
}

interface ParsedItem {
  guid?: string;
  id?: string;
  title?: string;
  link?: string;
  contentSnippet?: string;
  summary?: string;
  content?: string;
  categories?: unknown[];
  atomCategories?: { $?: { term?: string } }[];
  startdate?: string;
  enddate?: string;
}

function isoOrNull(value: string | undefined): string | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function firstCategory(item: ParsedItem): string | null {
  const rss = item.categories?.find((c): c is string => typeof c === 'string' && c.trim() !== '');
  const atom = item.atomCategories?.map((c) => c.$?.term).find((term) => term);
  return (rss ?? atom)?.trim() ?? null;
}

function text(value: string | undefined): string | null {
  const trimmed = value?.replace(/\s+/g, ' ').trim();
  return trimmed ? trimmed : null;
}

/** Throws on XML that does not parse; items without a guid/id or title are skipped. */
export async function parseFeed(xml: string): Promise<FeedProgram[]> {
  const parser = new Parser<Record<string, unknown>, ParsedItem>({
    customFields: {
      item: [
        ['ev:startdate', 'startdate'],
        ['ev:enddate', 'enddate'],
        ['category', 'atomCategories', { keepArray: true }],
      ],
    },
  });
  const feed = await parser.parseString(xml);
  if (!Array.isArray(feed.items)) throw new Error('the document is neither RSS nor Atom');
  const programs: FeedProgram[] = [];
  for (const item of feed.items) {
    const guid = text(item.guid ?? item.id ?? item.link);
    const title = text(item.title);
    if (!guid || !title) continue;
    programs.push({
      guid,
      title,
      summary: text(item.contentSnippet ?? item.summary ?? item.content),
      category: firstCategory(item),
      link: text(item.link),
      startsAt: isoOrNull(item.startdate),
      endsAt: isoOrNull(item.enddate),
    });
  }
  return programs;
}

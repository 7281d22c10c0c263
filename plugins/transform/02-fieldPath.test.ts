import { describe, expect, it } from 'vitest';
import { applyBodyRules, parseFieldPath, type FieldPath } from './fieldPath.ts';

const path = (text: string) => parseFieldPath(text) as FieldPath;

describe('body field rules', () => {
  it('renames a field inside every element of an array, keeping its place in key order', () => {
    const body = {
      items: [{ id: 1, link: 'a', title: 't' }, { id: 2, link: null }, 'not an object'],
      nextCursor: null,
    };
    expect(applyBodyRules(body, { remove: [], rename: [{ from: path('items.link'), to: 'url' }] })).toBe(2);
    expect(body).toEqual({
      items: [{ id: 1, url: 'a', title: 't' }, { id: 2, url: null }, 'not an object'],
      nextCursor: null,
    });
    expect(Object.keys(body.items[0]!)).toEqual(['id', 'url', 'title']);
  });

  it('removes by JSON pointer, an array index included, and with * for every key', () => {
    const body = {
      items: [
        { a: 1, b: 2 },
        { a: 3, b: 4 },
      ],
      meta: { x: { secret: 1, keep: 2 }, y: { secret: 3 } },
    };
    applyBodyRules(body, { remove: [path('/items/0/b'), path('meta.*.secret')], rename: [] });
    expect(body).toEqual({ items: [{ a: 1 }, { a: 3, b: 4 }], meta: { x: { keep: 2 }, y: {} } });
  });

  it('leaves absent fields and other shapes alone; a rename over an existing name replaces it', () => {
    const body: Record<string, unknown> = { a: 1, url: 'old', link: 'new' };
    expect(
      applyBodyRules(body, { remove: [path('missing.deep')], rename: [{ from: path('nope'), to: 'x' }] }),
    ).toBe(0);
    applyBodyRules(body, { remove: [], rename: [{ from: path('link'), to: 'url' }] });
    expect(body).toEqual({ a: 1, url: 'new' });
    expect(applyBodyRules([1, 2, 3], { remove: [path('a')], rename: [] })).toBe(0);
    expect(applyBodyRules('text', { remove: [path('a')], rename: [] })).toBe(0);
  });

  it('keeps a __proto__ key from the data a plain field (no prototype change)', () => {
    const body = JSON.parse('{"__proto__": {"polluted": true}, "link": 1}') as Record<string, unknown>;
    applyBodyRules(body, { remove: [], rename: [{ from: path('link'), to: 'url' }] });
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(JSON.stringify(body)).toBe('{"__proto__":{"polluted":true},"url":1}');
  });

  it('parses JSON pointer escapes and refuses empty segments', () => {
    expect(parseFieldPath('/a~1b/c~0d')).toEqual(['a/b', 'c~d']);
    expect(typeof parseFieldPath('a..b')).toBe('string');
    expect(typeof parseFieldPath('/a//b')).toBe('string');
    expect(typeof parseFieldPath('')).toBe('string');
  });
});

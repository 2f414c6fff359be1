import type { Page } from '../../src/activities/ports/common';

/**
 * Reads a paged listing to its end, `limit` at a time, checking that no page is longer than
 * asked; returns every record's id in the order the pages gave them. For the contract tests of
 * listItems / listSkus: what they assert is "every record once".
 */
export async function idsOfAllPages<T extends { id: string }>(list: (query: { limit: number; cursor?: string }) => Promise<Page<T>>, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit, ...(cursor ? { cursor } : {}) });
    expect(page.data.length).toBeLessThanOrEqual(limit);
    ids.push(...page.data.map((r) => r.id));
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return ids;
}

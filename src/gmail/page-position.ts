import { BadInputError } from '../common/app.error.js';
import type { MessageSummary } from './gmail.types.js';

/**
 * Rows of one second remembered at a page's end, carried on while pages stay in that second
 * (a burst of mail delivered at once): two pages' worth. Past it a row may show twice.
 */
const MAX_SKIP = 100;

/**
 * Where an older page starts: after the row shown last, named by its internalDate and the ids
 * shown in that same second (Gmail's `before:` operator counts in seconds). An older page is
 * the rows before the next second, less those ids: mail that came or went above shifts
 * nothing, so no row is skipped or shown twice.
 */
export interface PagePosition {
  /** 0-based number of the page's first row among all (for the row count shown). */
  offset: number;
  /** internalDate (epoch ms) of the last row shown. */
  date: number;
  /** Ids shown in the second of `date`, which a `before:` of the next second returns again. */
  skip: string[];
}

const FORMAT = /^(\d{1,7})\.(\d{1,15})\.((?:[0-9a-f]{6,32})(?:-[0-9a-f]{6,32}){0,99})?$/;

export function encodePosition(position: PagePosition): string {
  return `${position.offset}.${position.date}.${position.skip.join('-')}`;
}

/** BadInputError for anything encodePosition did not make (the cursor is signed anyway). */
export function decodePosition(token: string): PagePosition {
  const match = FORMAT.exec(token);
  if (!match) throw new BadInputError('page cursor malformed');
  return {
    offset: Number(match[1]),
    date: Number(match[2]),
    skip: match[3] ? match[3].split('-') : [],
  };
}

/** The `before:` value (epoch seconds) of the page after `position`. */
export function beforeSeconds(position: PagePosition): number {
  return Math.floor(position.date / 1000) + 1;
}

/**
 * The position after a page's rows (ids in order; summaries where known). Rows without a
 * summary carry no date: the last dated row names the position, and the undated rows after it
 * are skipped with it.
 */
export function positionAfter(
  start: PagePosition | undefined,
  ids: readonly string[],
  summaries: ReadonlyMap<string, MessageSummary>,
): PagePosition | undefined {
  let lastDated = -1;
  ids.forEach((id, index) => {
    if (summaries.has(id)) lastDated = index;
  });
  const offset = (start?.offset ?? 0) + ids.length;
  if (lastDated < 0) {
    if (!start) return undefined;
    return { offset, date: start.date, skip: [...start.skip, ...ids].slice(-MAX_SKIP) };
  }
  const date = summaries.get(ids[lastDated])!.internalDate;
  const second = Math.floor(date / 1000);
  const skip = ids.filter((id, index) => {
    const summary = summaries.get(id);
    return summary ? Math.floor(summary.internalDate / 1000) === second : index > lastDated;
  });
  // Still in the second the previous page ended in: what it skipped stays skipped.
  const carried =
    start && Math.floor(start.date / 1000) === second
      ? start.skip.filter((id) => !skip.includes(id))
      : [];
  return { offset, date, skip: [...carried, ...skip].slice(-MAX_SKIP) };
}

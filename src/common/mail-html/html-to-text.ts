import sanitizeHtml from 'sanitize-html';
import { PlainTextWriter } from './plain-text.writer.js';

/** Elements whose content is not text a reader sees. */
const INVISIBLE = [
  ...['script', 'style', 'title', 'textarea', 'option', 'xmp'],
  ...['iframe', 'noembed', 'noframes', 'template'],
];

/** Blocks set apart by a blank line. */
const PARAGRAPHS = new Set([
  ...['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre'],
  ...['table', 'ul', 'ol', 'dl', 'figure', 'address', 'hr'],
]);

/** Blocks that start on a line of their own. */
const LINES = new Set([
  ...['div', 'li', 'tr', 'dt', 'dd', 'caption', 'figcaption', 'center', 'form', 'fieldset'],
  ...['section', 'article', 'header', 'footer', 'main', 'nav', 'aside', 'details', 'summary'],
]);

const ABSOLUTE_WEB_LINK = /^https?:\/\//i;

/** The escaping sanitize-html applies to text before handing it to textFilter. */
const ESCAPED = /&(amp|lt|gt);/g;
const UNESCAPED: Record<string, string> = { amp: '&', lt: '<', gt: '>' };

interface OpenList {
  ordered: boolean;
  next: number;
}

interface OpenLink {
  href: string | undefined;
  start: number;
}

/**
 * A readable plain-text rendering of an HTML mail, for the "plain text" view and for mails with
 * no text/plain part: block elements and <br> become line breaks, list items get "- " or "1. ",
 * whitespace collapses as a browser would collapse it, character references are decoded, and a
 * web link whose text is not its address is followed by the address in angle brackets.
 * The result is text, not HTML: escape it when rendering.
 *
 * sanitize-html serves only as the (htmlparser2) parser here: its hooks see every tag and text
 * run in document order, which spares this module an HTML tokenizer of its own.
 */
export function htmlToText(html: string): string {
  const writer = new PlainTextWriter();
  const lists: OpenList[] = [];
  const links: OpenLink[] = [];
  let invisibleDepth = 0;
  let preDepth = 0;

  const open = (name: string, attribs: sanitizeHtml.Attributes): void => {
    if (invisibleDepth > 0 || INVISIBLE.includes(name)) {
      invisibleDepth++;
      return;
    }
    if (PARAGRAPHS.has(name)) writer.block(2);
    else if (LINES.has(name)) writer.block(1);
    if (name === 'pre') preDepth++;
    if (name === 'br') writer.lineBreak();
    if (name === 'td' || name === 'th') writer.space();
    if (name === 'ul' || name === 'ol') lists.push(openList(name, attribs));
    if (name === 'li') writer.text(`${bullet(lists.at(-1))} `);
    if (name === 'img' && attribs.alt) writer.text(attribs.alt);
    if (name === 'a') links.push({ href: attribs.href?.trim(), start: writer.mark() });
  };

  const close = (name: string): void => {
    if (invisibleDepth > 0) {
      invisibleDepth--;
      return;
    }
    if (PARAGRAPHS.has(name)) writer.block(2);
    else if (LINES.has(name)) writer.block(1);
    if (name === 'pre') preDepth--;
    if (name === 'ul' || name === 'ol') lists.pop();
    if (name === 'a') closeLink(writer, links.pop());
  };

  sanitizeHtml(html, {
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: INVISIBLE,
    onOpenTag: open,
    onCloseTag: close,
    textFilter: (escaped) => {
      const text = escaped.replace(ESCAPED, (_, name: string) => UNESCAPED[name]);
      if (preDepth > 0) writer.preformatted(text);
      else writer.text(text);
      return '';
    },
  });
  return writer.toString();
}

function openList(name: string, attribs: sanitizeHtml.Attributes): OpenList {
  const start = Number.parseInt(attribs.start ?? '', 10);
  return { ordered: name === 'ol', next: Number.isSafeInteger(start) ? start : 1 };
}

function bullet(list: OpenList | undefined): string {
  return list?.ordered ? `${list.next++}.` : '-';
}

/** `Read more <https://…>`: the address is what a plain-text reader cannot otherwise see. */
function closeLink(writer: PlainTextWriter, link: OpenLink | undefined): void {
  if (!link?.href || !ABSOLUTE_WEB_LINK.test(link.href)) return;
  if (writer.since(link.start).trim() === link.href) return;
  writer.text(` <${link.href}>`);
}

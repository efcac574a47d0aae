import sanitizeHtml from 'sanitize-html';

/**
 * Inline images that cost no network request. SVG is left out: it is a document format, and
 * nothing in a mail needs it badly enough to reason about what it can embed.
 */
const DATA_IMAGE = /^data:image\/(?:png|gif|jpeg|webp);base64,[A-Za-z0-9+/=]*$/i;

/** Absolute links only: a relative href would point into this service (`/logout`). */
const SAFE_LINK = /^(?:https?:\/\/[^/\\]|mailto:)/i;

/**
 * Structure and formatting mail needs, nothing that loads or runs anything. Everything else
 * (font, center, form, button, object, svg…) is dropped while its text is kept.
 */
const ALLOWED_TAGS = [
  ...['p', 'br', 'div', 'span', 'hr', 'blockquote', 'pre', 'code'],
  ...['b', 'i', 'strong', 'em', 'u', 's', 'small', 'sub', 'sup'],
  ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'dl', 'dt', 'dd'],
  ...['table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th'],
  ...['a', 'img'],
];

/**
 * No `style` (the page's CSP has `style-src 'self'`, so inline styles would only log
 * violations), no `class`/`id` (they would meet the page's own CSS and fragment links), no event
 * handlers. The presentational attributes kept are not governed by the CSP.
 */
const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  '*': ['dir', 'lang', 'title'],
  a: ['href', 'rel', 'target'],
  img: ['src', 'alt', 'width', 'height'],
  ol: ['start', 'type'],
  table: ['border', 'cellpadding', 'cellspacing', 'width'],
  td: ['colspan', 'rowspan', 'align', 'valign', 'width'],
  th: ['colspan', 'rowspan', 'align', 'valign', 'width'],
};

/**
 * Elements whose content is dropped with them: code, CSS, a document title, form values, and
 * iframe fallback text that would read as stray words.
 */
const DROPPED_WITH_CONTENT = [
  ...['script', 'style', 'title', 'textarea', 'option', 'xmp'],
  ...['iframe', 'noembed', 'noframes', 'template'],
];

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: ALLOWED_ATTRIBUTES,
  nonTextTags: DROPPED_WITH_CONTENT,
  disallowedTagsMode: 'discard',
  // Checked again by the transforms below; the library's own check stays as a second line.
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['data'] },
  allowProtocolRelative: false,
  // A form's leftover text (button labels) stays a block of its own instead of running into
  // its neighbours; the form itself and its controls are gone.
  transformTags: { a: transformLink, img: transformImage, form: 'div' },
};

/**
 * Makes an HTML mail body safe to embed in a page served with
 * `default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'`.
 * The CSP is the second line of defence: this output must be safe without it, and must not
 * depend on it either (remote images are removed here, not merely blocked, so the page raises
 * no CSP reports and the sender's tracking pixels never learn the mail was opened).
 */
export function sanitizeMailHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}

/** Links keep only a safe absolute href, and open apart from this page (no `window.opener`). */
function transformLink(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const href = attribs.href === undefined ? undefined : safeHref(attribs.href);
  const kept: sanitizeHtml.Attributes = {};
  if (href !== undefined)
    Object.assign(kept, { href, rel: 'noopener noreferrer', target: '_blank' });
  if (attribs.title) kept.title = attribs.title;
  return { tagName, attribs: kept };
}

/**
 * A remote image becomes its alt text in brackets (as text mail readers show images, and so
 * that it does not run into the words around it); only a self-contained data: image stays an
 * image. An image without alt text (spacers, tracking pixels) leaves nothing to read.
 */
function transformImage(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  // Browsers ignore ASCII whitespace inside base64 (WHATWG Infra, "forgiving-base64 decode").
  const src = (attribs.src ?? '').replace(/[\t\n\f\r ]/g, '');
  if (!DATA_IMAGE.test(src)) {
    const alt = (attribs.alt ?? '').trim();
    return { tagName: 'span', attribs: {}, text: alt ? `[${alt}]` : '' };
  }
  const kept: sanitizeHtml.Attributes = { src };
  for (const name of ['alt', 'width', 'height', 'title']) {
    if (attribs[name] !== undefined) kept[name] = attribs[name];
  }
  return { tagName, attribs: kept };
}

/**
 * The href as a browser would read it (entities are already decoded by the parser; browsers
 * also strip surrounding C0 controls and spaces and ignore tabs and newlines inside, WHATWG URL
 * §4.4), accepted only when that reading is an absolute http(s) or mailto URL.
 */
function safeHref(raw: string): string | undefined {
  let start = 0;
  let end = raw.length;
  while (start < end && raw.charCodeAt(start) <= 0x20) start++;
  while (end > start && raw.charCodeAt(end - 1) <= 0x20) end--;
  const href = raw.slice(start, end).replace(/[\t\n\r]/g, '');
  return SAFE_LINK.test(href) ? href : undefined;
}

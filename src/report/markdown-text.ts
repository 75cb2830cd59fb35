/** Text safe inside a table cell: pipes escaped, line breaks flattened. */
export function escapeCell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

// `<` alone starts a tag; `>` is escaped too so no closing bracket of user text reads as markup.
const HTML_ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;' };

/**
 * User text (labels, descriptions, reference notes, error messages) as Markdown text: many viewers
 * (GitHub among them) render inline HTML, so `<script>` or `<img onerror>` must arrive as text.
 * Entities render as the characters they stand for. Not for code spans, which are literal anyway.
 */
export function markdownText(text: string): string {
  return text.replace(/[<>]/g, (c) => HTML_ENTITIES[c]);
}

/** User text in a table cell. */
export function cellText(text: string): string {
  return escapeCell(markdownText(text));
}

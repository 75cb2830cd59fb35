import { type SafeHtml, html, trustedHtml } from './escape.js';
import { STYLES } from './styles.js';

export interface PageParts {
  readonly title: string;
  readonly kicker: string;
  readonly lede?: string;
  readonly chips?: SafeHtml;
  readonly nav: readonly { readonly href: string; readonly label: string }[];
  readonly body: SafeHtml;
  readonly footer: SafeHtml;
}

/**
 * The whole document: inline CSS and SVG only. No script, no external resource (the CSP says so
 * too), so it opens offline, can be mailed, and shows the same everywhere.
 */
export function renderPage(parts: PageParts): string {
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="clbench">
<title>${parts.title} — clbench report</title>
<style>${trustedHtml(STYLES)}</style>
</head>
<body>
<header class="page"><div class="wrap">
  <div class="kicker">${parts.kicker}</div>
  <h1>${parts.title}</h1>
  ${parts.lede ? html`<p class="lede">${parts.lede}</p>` : null}
  ${parts.chips ?? null}
</div></header>
<nav class="toc" aria-label="Sections"><div class="wrap">${parts.nav.map((n) => html`<a href="#${n.href}">${n.label}</a>`)}</div></nav>
<main class="wrap">
${parts.body}
</main>
<footer class="page"><div class="wrap">${parts.footer}</div></footer>
</body>
</html>
`;
  return page.value;
}

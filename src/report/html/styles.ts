import { FONT } from './theme.js';

/** The page's only stylesheet, inlined: the report must open offline and survive being mailed. */
export const STYLES = `
:root {
  --ink: #1e293b; --muted: #64748b; --faint: #94a3b8; --line: #e2e8f0; --bg: #f6f8fb; --card: #fff;
  --accent: #4c78a8; --best-bg: #e8f5ee; --best-ink: #0f6b45; --ok: #0f7a4f; --warn: #b45309; --bad: #b91c1c;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 14px/1.55 ${FONT}; color: var(--ink); background: var(--bg); }
.wrap { max-width: 1180px; margin: 0 auto; padding: 0 28px; }
header.page { background: var(--card); border-bottom: 1px solid var(--line); padding: 28px 0 22px; }
.kicker { text-transform: uppercase; letter-spacing: .09em; font-size: 11px; font-weight: 700; color: var(--accent); }
h1 { font-size: 28px; line-height: 1.2; margin: 6px 0 8px; letter-spacing: -.01em; overflow-wrap: anywhere; }
h2 { font-size: 19px; margin: 0 0 2px; letter-spacing: -.005em; overflow-wrap: anywhere; }
h3 { font-size: 15px; margin: 0 0 2px; }
.lede { color: #475569; max-width: 75ch; margin: 0; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 14px; padding: 0; list-style: none; }
.chips li { background: #f1f5f9; border: 1px solid var(--line); border-radius: 999px; padding: 2px 11px; font-size: 12px; color: #334155; }
.chips li b { font-weight: 600; color: var(--muted); margin-right: 4px; }
nav.toc { position: sticky; top: 0; z-index: 2; background: rgba(255,255,255,.94); border-bottom: 1px solid var(--line); }
nav.toc .wrap { display: flex; flex-wrap: wrap; gap: 2px 18px; padding-top: 8px; padding-bottom: 8px; }
nav.toc a { color: var(--muted); text-decoration: none; font-size: 13px; font-weight: 500; }
nav.toc a:hover { color: var(--ink); }
main { padding: 6px 0 8px; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 22px 26px 24px; margin: 20px 0;
  box-shadow: 0 1px 2px rgba(15,23,42,.04), 0 4px 14px rgba(15,23,42,.03); }
section.group > h2.group-title { font-size: 22px; margin: 34px 0 0; }
.sub { color: var(--muted); margin: 2px 0 16px; font-size: 13px; max-width: 95ch; }
.figures { display: flex; flex-wrap: wrap; gap: 28px 40px; align-items: flex-start; }
figure { margin: 0; min-width: 0; max-width: 100%; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12.5px; margin-top: 8px; max-width: 78ch; }
figcaption b { color: var(--ink); font-weight: 600; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.summary { width: 100%; }
table.summary th, table.summary td { padding: 9px 9px; border-bottom: 1px solid var(--line); text-align: right; vertical-align: top; white-space: nowrap; }
table.summary th:first-child, table.summary td:first-child { text-align: left; padding-left: 4px; }
table.summary thead th { font-size: 12px; font-weight: 600; color: var(--muted); border-bottom: 1.5px solid #cbd5e1; }
table.summary thead th .dir { color: var(--faint); font-weight: 400; margin-left: 2px; }
table.summary tbody th { font-weight: 600; white-space: normal; min-width: 11em; }
table.summary td.best { background: var(--best-bg); }
table.summary td.best .v { font-weight: 700; color: var(--best-ink); }
table.summary tr.paper-only th, table.summary tr.paper-only td { color: var(--muted); font-weight: 400; background: #fafbfc; }
.v { font-size: 14px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 12px; margin: 4px 0 20px; }
.tile { border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; background: linear-gradient(180deg, #fbfcfe, #f5f8fc); }
.tile-label { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); font-weight: 600; }
.tile-value { font-size: 24px; font-weight: 700; letter-spacing: -.01em; margin: 2px 0 1px; font-variant-numeric: tabular-nums; }
.tile-who { font-size: 13px; color: #334155; font-weight: 500; overflow-wrap: anywhere; }
.tile-who .swatch { margin-right: 5px; }
.sd { color: var(--muted); font-size: 11.5px; margin-left: 3px; }
.ref { display: block; font-size: 11.5px; color: var(--muted); margin-top: 1px; }
.ref .d { font-weight: 600; }
.ref .d.ok { color: var(--ok); } .ref .d.warn { color: var(--warn); } .ref .d.bad { color: var(--bad); }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin-right: 8px; }
.opts { display: block; font-size: 11.5px; color: var(--muted); font-weight: 400; margin-top: 1px; line-height: 1.4; }
.note { font-size: 12.5px; color: var(--muted); margin: 12px 0 0; }
.legend-pill { display: inline-block; width: 22px; height: 12px; border-radius: 3px; vertical-align: -1px; background: var(--best-bg); border: 1px solid #b7e2cb; }
.callout { border-radius: 8px; padding: 10px 14px; margin: 14px 0 0; font-size: 13px; }
.callout.warn { background: #fffbeb; border: 1px solid #fcd34d; color: #92400e; }
.callout.info { background: #f0f6ff; border: 1px solid #c7dbf5; color: #1e3a5f; }
ul.problems { margin: 0; padding-left: 20px; } ul.problems li { margin: 4px 0; }
ul.problems .status { color: var(--bad); font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 7px 22px; margin: 0; }
dl.facts dt { color: var(--muted); font-size: 13px; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
dl.defs dt { font-weight: 600; margin-top: 8px; } dl.defs dd { margin: 0 0 0 0; color: #475569; }
code, pre { font-family: var(--mono); font-size: 12.5px; }
code { background: #f1f5f9; padding: 1px 5px; border-radius: 4px; }
pre { background: #f8fafc; border: 1px solid var(--line); padding: 12px 14px; border-radius: 8px; overflow: auto; max-height: 460px; margin: 10px 0 0; }
details { margin-top: 14px; } summary { cursor: pointer; color: var(--accent); font-weight: 500; font-size: 13px; }
table.plain th, table.plain td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; font-size: 13px; vertical-align: top; }
table.plain th { color: var(--muted); font-weight: 600; font-size: 12px; }
footer.page { color: var(--faint); font-size: 12px; padding: 10px 0 40px; }
@media print {
  body { background: #fff; } nav.toc { display: none; }
  section.card { box-shadow: none; break-inside: avoid; }
}
`;

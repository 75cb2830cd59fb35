import * as vega from 'vega';
import { type TopLevelSpec, compile } from 'vega-lite';
import { vegaConfig } from './theme.js';

export interface RenderedChart {
  readonly svg: string;
  /** What vega-lite and vega warned about while building the chart (empty when all is well). */
  readonly warnings: string[];
}

/** A vega logger that keeps warnings and errors instead of printing them. */
function collectingLogger(messages: string[]) {
  let level = 2; // vega's Warn
  const keep = (kind: string) => (...args: unknown[]) => {
    messages.push(`${kind}: ${args.map(String).join(' ')}`);
    return logger;
  };
  const logger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error: keep('error'),
    warn: keep('warn'),
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

/**
 * Prefixes the ids vega gives its clip paths and gradients ("clip1", "gradient_0"), and every
 * reference to them: each chart numbers its own from 1, so several inline SVGs on one page would
 * otherwise use each other's definitions.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
  if (ids.size === 0) return svg;
  const escaped = [...ids].map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(\\sid="|url\\(#|href="#)(${escaped.join('|')})(?=[")])`, 'g');
  return svg.replace(pattern, (_, lead: string, id: string) => `${lead}${prefix}${id}`);
}

/**
 * Compiles a Vega-Lite spec and renders it to an SVG string, headless (no canvas: text widths
 * are estimated). The theme is applied under the spec's own config.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix?: string): Promise<RenderedChart> {
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const { spec: vgSpec } = compile({ ...spec, config: { ...vegaConfig, ...spec.config } } as TopLevelSpec, { logger });
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logger });
  try {
    const svg = await view.toSVG();
    return { svg: idPrefix ? scopeSvgIds(svg, idPrefix) : svg, warnings };
  } finally {
    view.finalize();
  }
}

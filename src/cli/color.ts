import { Chalk, type ChalkInstance, supportsColor, supportsColorStderr } from 'chalk';

export type ColorLevel = 0 | 1 | 2 | 3;

/**
 * How much colour to write to stdout or stderr. As in Node itself, FORCE_COLOR wins (0–3, or
 * 'true'/'' for basic colour, 'false' for none); then a non-empty NO_COLOR turns colour off
 * (no-color.org); otherwise chalk's detection (a terminal that supports it) decides.
 */
export function colorLevel(stream: 'stdout' | 'stderr', env: NodeJS.ProcessEnv = process.env): ColorLevel {
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '' || force === 'true') return 1;
    if (force === 'false') return 0;
    const level = Number.parseInt(force, 10);
    return Number.isNaN(level) ? 1 : (Math.max(0, Math.min(3, level)) as ColorLevel);
  }
  if (env.NO_COLOR) return 0;
  const detected = stream === 'stderr' ? supportsColorStderr : supportsColor;
  return detected ? detected.level : 0;
}

/** A chalk for one of the process's output streams, honouring NO_COLOR and FORCE_COLOR. */
export function chalkFor(stream: 'stdout' | 'stderr', env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  return new Chalk({ level: colorLevel(stream, env) });
}

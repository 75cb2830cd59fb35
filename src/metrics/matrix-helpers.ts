import type { Score } from './types.js';

/** A usable number: null, undefined and NaN all mean "not measured". */
export function known(value: Score | undefined): value is number {
  return typeof value === 'number' && !Number.isNaN(value);
}

/** Mean of the values, or null if any is unknown (a metric is never averaged over part of its entries). */
export function meanIfAllKnown(values: readonly (Score | undefined)[]): Score {
  if (values.length === 0 || !values.every(known)) return null;
  return (values as number[]).reduce((a, b) => a + b, 0) / values.length;
}

/** The number of tasks T of a square accuracy matrix. */
export function taskCount(R: readonly (readonly Score[])[]): number {
  return R.length;
}

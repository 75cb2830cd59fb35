import type { RunResult } from '../runner/result.js';

/**
 * The machine-readable digest of a result that `--json` prints: what ran, where the files are,
 * the per-learner summary and each run's metrics (no curves or matrices: those are in result.json).
 */
export function jsonSummary(result: RunResult, files: Record<string, string>): Record<string, unknown> {
  return {
    scenario: result.scenario.name,
    complete: result.complete,
    backend: result.backend,
    versions: result.versions,
    createdAt: result.createdAt,
    files,
    summary: result.summary,
    runs: result.runs.map((run) => ({
      learner: run.learner,
      seed: run.seed,
      status: run.status,
      ...(run.error ? { error: run.error } : {}),
      ...(run.diverged ? { diverged: run.diverged } : {}),
      wallSeconds: run.wallSeconds,
      ...(run.peakRssBytes !== undefined ? { peakRssBytes: run.peakRssBytes } : {}),
      ...(run.peakTensorBytes !== undefined ? { peakTensorBytes: run.peakTensorBytes } : {}),
      metrics: run.metrics,
    })),
  };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendInfo, useBackend } from '../../src/backend/select.js';
import type { EvalEvent, RunEvent } from '../../src/runner/events.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { tempDir } from '../helpers/scenario.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await useBackend('wasm');
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The continual-evaluation metrics recomputed from one run's events.jsonl lines as the README
 * defines them, with plain loops and none of src/metrics: what an outside script would do.
 */
function recompute(events: RunEvent[], T: number): Record<string, number | null> {
  const evals = events.filter((e): e is EvalEvent => e.type === 'eval' && (e.phase === 'curve' || e.phase === 'task-end'));
  const key = (e: EvalEvent) => `${e.afterTask}:${e.batchInTask}:${e.evalTask}`;
  const curveKeys = new Set(evals.filter((e) => e.phase === 'curve').map(key));
  const acc = new Map<string, number>();
  const stepAt = new Map<string, number>();
  for (const e of evals) {
    if (e.phase === 'task-end' && curveKeys.has(key(e))) continue;
    acc.set(key(e), e.accuracy);
    stepAt.set(`${e.afterTask}:${e.batchInTask}`, e.step);
  }
  const a = (t: number, b: number, j: number) => acc.get(`${t}:${b}:${j}`)!;
  const batches = (t: number) => [...new Set(evals.filter((e) => e.afterTask === t).map((e) => e.batchInTask))].sort((x, y) => x - y);
  const end = (t: number) => Math.max(...batches(t));
  const old = (t: number, b: number, upTo: number) => mean(Array.from({ length: upTo }, (_, i) => a(t, b, i)));

  const mins = Array.from({ length: T - 1 }, (_, i) => {
    const later = [];
    for (let t = i + 1; t < T; t++) for (const b of batches(t)) if (b > 0) later.push(a(t, b, i));
    return Math.min(...later);
  });
  const minACC = mean(mins);
  const gaps = Array.from({ length: T - 1 }, (_, s) => {
    const t = s + 1;
    const ref = old(t - 1, end(t - 1), t);
    const bs = batches(t).filter((b) => b > 0);
    const m = bs.map((b) => old(t, b, t));
    const low = m.indexOf(Math.min(...m));
    const depth = Math.max(0, ref - m[low]);
    let recovery: number | null = 0;
    if (ref - m[low] > 0.01) {
      const k = m.findIndex((v, i) => i > low && v >= ref - 0.01);
      recovery = k < 0 ? null : bs[k];
    }
    return { depth, recovery };
  });
  const anytime = [];
  for (let t = 0; t < T; t++) for (const b of batches(t)) if (b > 0) anytime.push(old(t, b, t + 1));
  const steps = Array.from({ length: T }, (_, t) => {
    const target = 0.9 * a(t, end(t), t);
    return batches(t).find((b) => acc.has(`${t}:${b}:${t}`) && a(t, b, t) >= target)!;
  });
  const wf = Array.from({ length: T - 1 }, (_, i) => {
    const series = [{ step: stepAt.get(`${i}:${end(i)}`)!, v: a(i, end(i), i) }];
    for (let t = i + 1; t < T; t++) for (const b of batches(t)) if (b > 0) series.push({ step: stepAt.get(`${t}:${b}`)!, v: a(t, b, i) });
    let worst = 0;
    for (let m = 0; m < series.length; m++) for (let n = m + 1; n < series.length; n++) {
      if (series[n].step - series[m].step <= 10) worst = Math.max(worst, series[m].v - series[n].v);
    }
    return worst;
  });
  return {
    minACC,
    'WC-ACC': a(T - 1, end(T - 1), T - 1) / T + (1 - 1 / T) * minACC,
    gapDepth: mean(gaps.map((g) => g.depth)),
    gapRecovery: gaps.some((g) => g.recovery === null) ? null : mean(gaps.map((g) => g.recovery!)),
    AAA: mean(anytime),
    stepsTo90: mean(steps),
    WF10: mean(wf),
  };
}

describe('the continual-evaluation metrics from events.jsonl alone', () => {
  it('match result.json for every run', async () => {
    const scenario = resolveScenario({
      name: 'from-events',
      stream: { type: 'rotated-mnist', tasks: 3, angles: [0, 80, 160], trainPerTask: 60, testPerTask: 100 },
      model: { type: 'mlp', hidden: [16] },
      protocol: { batchSize: 10, epochs: 2, evalEvery: 1, evalSubset: 40, lcaBeta: 2 },
      learners: [{ type: 'joint', name: 'joint', incremental: true, lr: 0.1 }, { type: 'er', lr: 0.1, memorySize: 50 }],
      seeds: [0, 1],
    });
    const outDir = tempDir();
    const result = await runScenario(scenario, { outDir, backend });
    const events = readFileSync(join(outDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
    for (const run of result.runs) {
      const own = events.filter((e) => e.learner === run.learner && e.seed === run.seed);
      const outside = recompute(own, 3);
      for (const [name, value] of Object.entries(outside)) {
        if (value === null) expect(run.metrics[name], `${run.learner}/${run.seed} ${name}`).toBeNull();
        else expect(run.metrics[name], `${run.learner}/${run.seed} ${name}`).toBeCloseTo(value, 12);
      }
    }
  }, 60_000);
});

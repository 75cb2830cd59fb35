#!/usr/bin/env node
// A meta run's final meta-test episodes, from its events.jsonl: which ones diverged (the rule of the
// divergedEpisodes metric, src/metrics/adaptation.ts); over the others, the mean query score after
// each reported number of steps, the median after the last step, and the tail: the worst 1% of
// episodes after the last step, their share of its mean and their scores before adapting (beside the
// median before adapting). A diagnostic for notes (docs/reproductions-notes.md); records keep only
// the means over all episodes.
//   node scripts/diverged-episodes.mjs reports/reproductions/maml-sine-maml-s1/events.jsonl [...]
// Needs dist/ (npm run build). One JSON line per run.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import process from 'node:process';
import { isDivergedEpisode } from '../dist/metrics/adaptation.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node scripts/diverged-episodes.mjs EVENTS.jsonl [...]\n');
  process.exit(2);
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (v) => Number(v.toPrecision(4));

/** The worst 1% of episodes (at least one) by their score after `last` steps. */
function tail(kept, last, higher) {
  const worst = [...kept].sort((a, b) => (higher ? a.get(last) - b.get(last) : b.get(last) - a.get(last))).slice(0, Math.max(1, Math.round(kept.length / 100)));
  const total = kept.reduce((sum, s) => sum + s.get(last), 0);
  return {
    episodes: worst.length,
    [`shareOfMean adapt@${last}`]: round(worst.reduce((sum, s) => sum + s.get(last), 0) / total),
    [`adapt@${last}`]: worst.map((s) => round(s.get(last))),
    'adapt@0': worst.map((s) => round(s.get(0))),
    'median adapt@0 of all kept': round(median(kept.map((s) => s.get(0)))),
  };
}

for (const file of files) {
  let start;
  const runs = new Map(); // "learner seed" → episode → steps → score
  for await (const line of createInterface({ input: createReadStream(file) })) {
    if (!line.includes('"meta-start"') && !line.includes('"final"')) continue;
    const e = JSON.parse(line);
    if (e.type === 'meta-start') start = e;
    if (e.type !== 'adapt-eval' || e.phase !== 'final' || !start) continue;
    const key = `${e.learner} ${e.seed}`;
    const episodes = runs.get(key) ?? new Map();
    const steps = episodes.get(e.episode) ?? new Map();
    // result.json and events keep a non-finite score as null (or "NaN"/"Infinity"): not a number here.
    const score = e[start.score];
    steps.set(e.steps, typeof score === 'number' ? score : Number.NaN);
    episodes.set(e.episode, steps);
    runs.set(key, episodes);
  }
  for (const [key, episodes] of runs) {
    const higher = start.score === 'accuracy';
    const last = Math.max(...start.reportSteps);
    const diverged = [];
    const kept = [];
    for (const [episode, s] of episodes) {
      if (isDivergedEpisode(s.get(0), s.get(last), higher)) diverged.push([episode, s]);
      else kept.push(s);
    }
    const [learner, seed] = key.split(' ');
    process.stdout.write(`${JSON.stringify({
      file, learner, seed: Number(seed), episodes: episodes.size,
      diverged: diverged.map(([episode, s]) => ({ episode, before: round(s.get(0)), after: Number.isFinite(s.get(last)) ? round(s.get(last)) : String(s.get(last)) })),
      meanWithoutDiverged: Object.fromEntries(start.reportSteps.map((k) => [`adapt@${k}`, round(mean(kept.map((s) => s.get(k))))])),
      [`median adapt@${last}`]: round(median([...episodes.values()].map((s) => s.get(last)).filter(Number.isFinite))),
      worst1pct: tail(kept, last, higher),
    })}\n`);
  }
}

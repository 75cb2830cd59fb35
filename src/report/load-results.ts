import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { summarizeRuns } from '../runner/summarize.js';
import type { RunRecord, RunResult } from '../runner/result.js';
import type { LearnerSpec } from '../learners/types.js';
import { learnerLabel } from '../scenario/types.js';
import { ClbenchError } from '../util/errors.js';

/** One result.json read from disk. */
export interface LoadedResult {
  readonly file: string;
  readonly result: RunResult;
}

/** Where a group's runs came from. */
export interface ResultSource {
  /** The result.json (absent for the report a run writes about itself). */
  readonly file?: string;
  readonly createdAt: string;
  readonly backend: string;
  readonly command?: string;
  readonly complete: boolean;
  readonly runs: number;
}

/**
 * Runs of one scenario, merged from one or more results. Runs are only ever averaged within a
 * group: results whose settings differ land in different groups.
 */
export interface ReportGroup {
  /** Unique within a report, safe in ids and file names: "quickstart", "quickstart-2". */
  readonly id: string;
  /** Hash of every setting that changes the numbers (see scenarioFingerprint). */
  readonly fingerprint: string;
  /** The merged result: runs of every source, summary recomputed over them. */
  readonly result: RunResult;
  readonly sources: readonly ResultSource[];
  /** What the merge had to decide: dropped duplicates, renamed learners. */
  readonly notes: readonly string[];
  /** For groups that share a scenario name: the settings that set this one apart. */
  readonly variant?: string;
}

const RESULT_FILE = 'result.json';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the fields a report reads, so a wrong file fails with its name rather than deep inside a chart. */
function checkResult(value: unknown, file: string): RunResult {
  const fail = (what: string): never => {
    throw new ClbenchError(`${file}: not a clbench result.json (${what})`);
  };
  if (!isObject(value)) return fail('expected a JSON object');
  if (!isObject(value.scenario) || typeof value.scenario.name !== 'string') fail('no scenario.name');
  if (!isObject(value.stream)) fail('no stream');
  if (!Array.isArray(value.runs)) fail('no runs[]');
  if (!Array.isArray(value.taskIds)) fail('no taskIds[]');
  if (!isObject(value.metricOptions)) fail('no metricOptions');
  for (const [i, run] of (value.runs as unknown[]).entries()) {
    if (!isObject(run) || typeof run.learner !== 'string' || typeof run.seed !== 'number' || !Array.isArray(run.accuracyMatrix)) {
      fail(`runs[${i}] has no learner, seed or accuracyMatrix`);
    }
  }
  return value as unknown as RunResult;
}

/** A JSON file's parsed content; an unreadable file or bad JSON is an error naming the file. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ClbenchError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ClbenchError(`${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

export function readResultFile(file: string): LoadedResult {
  return { file, result: checkResult(readJsonFile(file), file) };
}

/** Every file under `dir` whose name `accept` takes, in sorted path order (node_modules and dot-folders skipped). */
function findFiles(dir: string, accept: (name: string) => boolean): string[] {
  const found: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) found.push(...findFiles(path, accept));
    } else if (accept(entry.name)) {
      found.push(path);
    }
  }
  return found;
}

export interface FileSearch {
  /** Which file names a folder is searched for. */
  readonly accept: (name: string) => boolean;
  /** The error for a path that does not exist. */
  readonly missing: (path: string) => string;
  /** The error for a folder with no such file; absent: an empty folder is fine. */
  readonly empty?: (path: string) => string;
}

/** Each path a file, or a folder searched recursively; without repeats, in the order given. */
export function collectFiles(paths: readonly string[], search: FileSearch): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new ClbenchError(search.missing(path));
    }
    if (!isDir) {
      files.push(path);
      continue;
    }
    const inside = findFiles(path, search.accept);
    if (inside.length === 0 && search.empty) throw new ClbenchError(search.empty(path));
    files.push(...inside);
  }
  return [...new Set(files)];
}

/**
 * Reads result.json files: each path is a file, or a folder searched recursively. A path that
 * does not exist, a folder with no result in it, or a file that is not a result is an error.
 */
export function loadResults(paths: readonly string[]): LoadedResult[] {
  if (paths.length === 0) throw new ClbenchError('give at least one result.json or folder of results');
  return collectFiles(paths, {
    accept: (name) => name === RESULT_FILE,
    missing: (path) => `${path}: no such file or folder`,
    empty: (path) => `${path}: no ${RESULT_FILE} found in this folder or below it`,
  }).map(readResultFile);
}

// ---------------------------------------------------------------------------------------------

/** JSON with object keys sorted, so equal settings always give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The settings that must match for runs to be averaged together: stream, model, protocol and
 * metric conventions. Not the learners or seeds (those are what a merge adds), and not the
 * stream's `path` (where the data sits on one machine says nothing about the data).
 */
export function fingerprintSettings(result: RunResult): Record<string, unknown> {
  const { path: _path, ...stream } = result.scenario.stream;
  return {
    stream,
    model: result.scenario.model,
    protocol: result.scenario.protocol,
    metrics: result.metricOptions,
    kind: result.stream.kind,
  };
}

/** Short hash of fingerprintSettings: equal for results that may be merged. */
export function scenarioFingerprint(result: RunResult): string {
  return createHash('sha256').update(canonicalJson(fingerprintSettings(result))).digest('hex').slice(0, 12);
}

/** Leaves of a settings object as "a.b.c" → canonical value text. */
function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (isObject(value)) {
    for (const key of Object.keys(value).sort()) flatten(value[key], prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, canonicalJson(value));
  }
  return out;
}

/** "lr=0.1, epochs=2": the settings of `mine` that differ from any of `others`. */
function describeDifferences(mine: unknown, others: readonly unknown[]): string {
  const own = flatten(mine);
  const flats = others.map((o) => flatten(o));
  const keys = new Set([...own.keys(), ...flats.flatMap((f) => [...f.keys()])]);
  const parts: string[] = [];
  for (const key of [...keys].sort()) {
    if (flats.some((f) => f.get(key) !== own.get(key))) parts.push(`${key}=${own.get(key) ?? 'unset'}`);
  }
  return parts.join(', ');
}

/** "lr 0.1 (now 0.03)": each setting of `then` that `now` changed, added ("unset") or removed. */
export function changedSettings(then: unknown, now: unknown): string[] {
  const before = flatten(then);
  const after = flatten(now);
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  return keys
    .filter((key) => before.get(key) !== after.get(key))
    .map((key) => `${key || '(value)'} ${before.get(key) ?? 'unset'} (now ${after.get(key) ?? 'unset'})`);
}

// ---------------------------------------------------------------------------------------------

function learnerIdentity(run: RunRecord): string {
  return canonicalJson({ type: run.learnerType, options: run.options });
}

function joinDistinct(values: readonly string[]): string {
  return [...new Set(values)].join(', ');
}

function mergeVersions(results: readonly RunResult[]): Record<string, string> {
  const merged: Record<string, string[]> = {};
  for (const r of results) {
    for (const [k, v] of Object.entries(r.versions ?? {})) merged[k] = [...new Set([...(merged[k] ?? []), v])];
  }
  return Object.fromEntries(Object.entries(merged).map(([k, vs]) => [k, vs.join(' / ')]));
}

interface Member {
  readonly file?: string;
  readonly result: RunResult;
}

/**
 * Merges results that share a fingerprint. A learner label used with different learner settings
 * in different results is split into separately labelled learners (never averaged); the same
 * (learner, seed) in several results is kept once, from the newest result.
 */
function mergeMembers(members: readonly Member[]): { result: RunResult; notes: string[] } {
  const byAge = [...members].sort((a, b) => a.result.createdAt.localeCompare(b.result.createdAt));
  const newest = byAge[byAge.length - 1].result;
  const notes: string[] = [];
  const where = (m: Member) => m.file ?? 'this run';

  // label → identities seen, in first-seen order; the first keeps the label.
  const identities = new Map<string, { identity: string; run: RunRecord }[]>();
  for (const m of members) {
    for (const run of m.result.runs) {
      const seen = identities.get(run.learner) ?? [];
      if (!seen.some((s) => s.identity === learnerIdentity(run))) seen.push({ identity: learnerIdentity(run), run });
      identities.set(run.learner, seen);
    }
  }
  const relabel = new Map<string, string>(); // `${label}\0${identity}` → label in the merged report
  for (const [label, seen] of identities) {
    for (const [i, { identity, run }] of seen.entries()) {
      let name = label;
      if (i > 0) {
        const others = seen.filter((_, k) => k !== i).map((s) => ({ type: s.run.learnerType, ...s.run.options }));
        const diff = describeDifferences({ type: run.learnerType, ...run.options }, others);
        name = `${label} (${diff || `variant ${i + 1}`})`;
        notes.push(`'${label}' has different settings in different results; runs with ${diff || 'other settings'} are shown as '${name}'.`);
      }
      relabel.set(`${label}\0${identity}`, name);
    }
  }

  // Newest first, so the first (learner, seed) met is the one kept.
  const kept = new Map<string, { run: RunRecord; from: Member }>();
  for (const m of [...byAge].reverse()) {
    for (const run of m.result.runs) {
      const learner = relabel.get(`${run.learner}\0${learnerIdentity(run)}`) ?? run.learner;
      const key = `${learner}\0${run.seed}`;
      const first = kept.get(key);
      if (first) {
        notes.push(`${learner} seed ${run.seed} is in more than one result; kept the newer one (${where(first.from)}), not ${where(m)}.`);
        continue;
      }
      kept.set(key, { run: learner === run.learner ? run : { ...run, learner }, from: m });
    }
  }

  // Learners in first-seen order across members (oldest first), seeds ascending.
  const order: string[] = [];
  for (const m of byAge) {
    for (const run of m.result.runs) {
      const learner = relabel.get(`${run.learner}\0${learnerIdentity(run)}`) ?? run.learner;
      if (!order.includes(learner)) order.push(learner);
    }
  }
  const runs = [...kept.values()]
    .map((k) => k.run)
    .sort((a, b) => order.indexOf(a.learner) - order.indexOf(b.learner) || a.seed - b.seed);

  const specs: LearnerSpec[] = [];
  for (const learner of order) {
    const run = runs.find((r) => r.learner === learner);
    const spec = members.flatMap((m) => m.result.scenario.learners).find((l) => learnerLabel(l) === learner);
    if (spec) specs.push(spec);
    else if (run) specs.push({ type: run.learnerType, name: learner, ...run.options });
  }
  const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
  const results = byAge.map((m) => m.result);
  const result: RunResult = {
    ...newest,
    createdAt: newest.createdAt,
    command: members.length === 1 ? members[0].result.command : undefined,
    complete: results.every((r) => r.complete),
    backend: joinDistinct(results.map((r) => r.backend)),
    versions: mergeVersions(results),
    scenario: {
      ...newest.scenario,
      learners: specs,
      seeds,
      reference: newest.scenario.reference ?? results.map((r) => r.scenario.reference).find(Boolean),
    },
    runs,
    summary: summarizeRuns(runs),
  };
  return { result, notes };
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'scenario';
}

/**
 * Groups results by scenario name and fingerprint (in first-seen order) and merges each group.
 * Results with the same name but different settings become separate groups whose `variant`
 * says what differs.
 */
export function groupResults(items: readonly Member[]): ReportGroup[] {
  const groups = new Map<string, Member[]>();
  for (const item of items) {
    const key = `${item.result.scenario.name}\0${scenarioFingerprint(item.result)}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const usedIds = new Set<string>();
  const entries = [...groups.values()];
  return entries.map((members) => {
    const { name } = members[0].result.scenario;
    const fingerprint = scenarioFingerprint(members[0].result);
    const siblings = entries.filter((other) => other !== members && other[0].result.scenario.name === name);
    const variant = siblings.length
      ? describeDifferences(
          fingerprintSettings(members[0].result),
          siblings.map((s) => fingerprintSettings(s[0].result)),
        )
      : undefined;
    let id = slug(name);
    for (let n = 2; usedIds.has(id); n++) id = `${slug(name)}-${n}`;
    usedIds.add(id);
    const { result, notes } = mergeMembers(members);
    const sources = members.map(({ file, result: r }) => ({
      ...(file ? { file } : {}),
      createdAt: r.createdAt,
      backend: r.backend,
      ...(r.command ? { command: r.command } : {}),
      complete: r.complete,
      runs: r.runs.length,
    }));
    return { id, fingerprint, result, sources, notes, ...(variant ? { variant } : {}) };
  });
}

/** The group of a single result, e.g. the report a run writes about itself. */
export function singleGroup(result: RunResult, file?: string): ReportGroup {
  return groupResults([{ result, ...(file ? { file } : {}) }])[0];
}

/** A path as shown in a report: relative to the working directory when that is shorter. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && rel.length < file.length ? rel : file;
}

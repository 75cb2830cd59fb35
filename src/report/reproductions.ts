import { DIVERGENCE_RATIO } from '../metrics/adaptation.js';
import { meanStd } from '../runner/summarize.js';
import type { RunRecord, RunResult, SummaryCell } from '../runner/result.js';
import { type AnchorValue, type OrderingDirection, type Reference, type ReferenceAnchor, type Scenario, isMetaProtocol, learnerLabel } from '../scenario/types.js';
import { ClbenchError } from '../util/errors.js';
import { MISSING, divergedEpisodesOf, formatAnchorValue, formatDiff, formatMeanStd, formatScore, higherIsBetter } from './format.js';
import { type LoadedResult, changedSettings, displayPath, scenarioFingerprint } from './load-results.js';
import { escapeCell } from './markdown.js';
import type { NotRunStatement } from './not-run.js';

/**
 * docs/reproductions.md: the papers' numbers beside ours, one row per (scenario, learner, metric),
 * each with the command that produced it, and the orderings the papers report checked on our means.
 * Built from the committed reproduction records (reproductions/records/: each one run's result
 * without its curves, carrying the scenario, its reference block and the command) and, when given,
 * the current scenario files' reference blocks, so it is regenerated, never edited.
 */

/** |ours − paper| allowed for `metric`, in all scenarios or in one. */
export interface ToleranceRule {
  readonly scenario?: string;
  readonly metric: string;
  readonly tolerance: number;
}

export const DEFAULT_TOLERANCES: readonly string[] = ['ACC=0.04'];

/** Parses "ACC=0.04" or "agem-permuted-mnist:ACC=0.03". */
export function parseTolerance(text: string): ToleranceRule {
  const match = /^(?:([^:=\s]+):)?([^:=\s]+)=([0-9]*\.?[0-9]+(?:e-?[0-9]+)?)$/i.exec(text.trim());
  if (!match) throw new ClbenchError(`--tolerance '${text}': expected METRIC=VALUE or SCENARIO:METRIC=VALUE, e.g. ACC=0.04`);
  const [, scenario, metric, value] = match;
  return { ...(scenario ? { scenario } : {}), metric, tolerance: Number(value) };
}

/** The rule for (scenario, metric): a scenario-specific one wins over a general one. */
export function toleranceFor(rules: readonly ToleranceRule[], scenario: string, metric: string): number | undefined {
  return (rules.find((r) => r.scenario === scenario && r.metric === metric) ?? rules.find((r) => r.scenario === undefined && r.metric === metric))?.tolerance;
}

export type Verdict = 'within' | 'outside' | 'untested' | 'not run';

export interface ReproductionRow {
  readonly learner: string;
  readonly metric: string;
  /** null: the paper has no value for it here (ours shown for information). */
  readonly paper: number | null;
  /** Over the learner's completed runs. */
  readonly ours: SummaryCell;
  readonly tolerance?: number;
  readonly verdict: Verdict;
  /** The commands that produced the learner's runs (one per result file). */
  readonly commands: readonly string[];
  /** Each of the scenario's anchors' figure for this learner and metric: one, or one per seed (null: it has none). */
  readonly anchors: readonly (AnchorValue | null)[];
}

export interface OrderCheck {
  readonly metric: string;
  /** Whether larger values are better (false for losses, e.g. adapt@k on regression). */
  readonly higher: boolean;
  /** Learners best first, by the paper's values and by our means. */
  readonly paper: readonly string[];
  readonly ours: readonly string[];
}

export type OrderingStatus = 'holds' | 'fails' | 'not run';

/** One ordering from the reference block, checked on our means. */
export interface OrderingCheck {
  readonly metric: string;
  readonly better: OrderingDirection;
  /** The declared order, best first; mean null when the learner has no completed run with a value. */
  readonly learners: readonly { readonly learner: string; readonly mean: number | null }[];
  /** 'not run' as soon as one learner has no mean: a partial chain is not a check of the claim. */
  readonly status: OrderingStatus;
  /** The neighbours out of order, better-declared first: [["ER-500", "online"]]. */
  readonly violations: readonly (readonly [string, string])[];
}

export interface ScenarioReproduction {
  readonly name: string;
  readonly description?: string;
  /** The reference's source; absent when the scenario has no reference block. */
  readonly source?: string;
  readonly note?: string;
  /** Outside figures on the same protocol (reference.anchors), one column each. */
  readonly anchors: readonly ReferenceAnchor[];
  /** The scenario file the reference block was read from (else: from the result files). */
  readonly referenceFile?: string;
  /** Shown in the paper column of rows without a published value: "see the paper" or "—". */
  readonly unpublished: string;
  /** The records its rows come from; empty for a scenario not run in this checkout. */
  readonly files: readonly string[];
  readonly backends: readonly string[];
  readonly versions: Readonly<Record<string, string>>;
  readonly seeds: readonly number[];
  readonly complete: boolean;
  readonly rows: readonly ReproductionRow[];
  readonly orders: readonly OrderCheck[];
  readonly orderings: readonly OrderingCheck[];
  /** The scenario's learners with no completed run, no row saying so and no statement saying why. */
  readonly unrun: readonly string[];
  /** Why the scenario has no record, when a not-run statement says. */
  readonly whyNotRun?: string;
  /** Learners with no completed run that a not-run statement explains, with its reason. */
  readonly explained: readonly { readonly learners: readonly string[]; readonly why: string }[];
  /** Runs left out of the means (failed or diverged), one line each. */
  readonly problems: readonly string[];
  /** Completed meta runs whose fine-tuning diverged on some meta-test episodes (divergedEpisodes), one line each. */
  readonly divergedEpisodes: readonly string[];
  /** What the records ran with that the current scenario file (`scenarioFile`) no longer says, one line per learner or part. */
  readonly changed: readonly string[];
  readonly scenarioFile?: string;
}

/** The current version of a scenario, when its file is at hand: its reference block wins over the recorded one. */
export interface CurrentScenario {
  readonly file: string;
  readonly scenario: Scenario;
}

export interface BuildOptions {
  /** The scenario file named `name`, if any (see the CLI's --scenarios). */
  readonly currentScenario?: (name: string) => CurrentScenario | undefined;
  /** Scenarios that get a section even with no record (their published values, marked not run). */
  readonly expected?: readonly CurrentScenario[];
  /** Why scenarios or learners have no run here (see the CLI's --not-run). */
  readonly notRun?: readonly NotRunStatement[];
}

/** Shown in the paper column when the scenario's paper has numbers we do not have offline. */
export const SEE_THE_PAPER = 'see the paper';

/** The headline metrics shown for learners without published values, when the runs have them. */
const CONTINUAL_HEADLINE = ['ACC', 'BWT', 'LA', 'forgetting', 'LCA'];
const ADAPT_AT = /^adapt@(\d+)$/;

const EPSILON = 1e-9;

function completed(run: RunRecord): boolean {
  return run.status === 'completed' && run.diverged === undefined;
}

/** Registered metrics by the registry (flipped on regression streams); adapt@k and adaptAUC are losses on regression. */
function isHigherBetter(result: RunResult, metric: string): boolean {
  const known = higherIsBetter(result, metric);
  if (known !== undefined) return known;
  if (ADAPT_AT.test(metric) || metric === 'adaptAUC') return result.stream.kind !== 'regression';
  return true;
}

/** Learners best first by `value` (ties keep the given order). */
function rank(learners: readonly string[], value: (learner: string) => number, higher: boolean): string[] {
  return [...learners].sort((a, b) => (higher ? value(b) - value(a) : value(a) - value(b)));
}

/** Headline metrics with a value in at least one completed run, in a fixed order. */
function headlineMetrics(result: RunResult, runs: readonly RunRecord[]): string[] {
  const present = new Set(runs.flatMap((run) => Object.keys(run.metrics).filter((k) => typeof run.metrics[k] === 'number')));
  if (!isMetaProtocol(result.scenario.protocol)) return CONTINUAL_HEADLINE.filter((m) => present.has(m));
  const steps = [...present].filter((m) => ADAPT_AT.test(m)).sort((a, b) => Number(ADAPT_AT.exec(a)![1]) - Number(ADAPT_AT.exec(b)![1]));
  return [...steps, ...(present.has('adaptAUC') ? ['adaptAUC'] : [])];
}

/** Whether `a`'s mean is at least as good as `b`'s, the next one in the declared order. */
function inOrder(better: OrderingDirection, a: number, b: number): boolean {
  if (better === 'higher') return a >= b - EPSILON;
  if (better === 'lower') return a <= b + EPSILON;
  return Math.abs(a) <= Math.abs(b) + EPSILON;
}

function checkOrderings(reference: Reference | undefined, meanOf: (learner: string, metric: string) => number | null): OrderingCheck[] {
  return (reference?.orderings ?? []).map(({ metric, better, order }) => {
    const learners = order.map((learner) => ({ learner, mean: meanOf(learner, metric) }));
    if (learners.some((l) => l.mean === null)) return { metric, better, learners, status: 'not run', violations: [] };
    const violations = learners
      .slice(0, -1)
      .map((l, i) => [l, learners[i + 1]] as const)
      .filter(([a, b]) => !inOrder(better, a.mean!, b.mean!))
      .map(([a, b]) => [a.learner, b.learner] as const);
    return { metric, better, learners, status: violations.length ? 'fails' : 'holds', violations };
  });
}

/**
 * One scenario's rows, from the records of its runs (all with the same settings); with no record,
 * from its current file alone: the published values, all marked not run.
 */
function reproduce(name: string, members: readonly LoadedResult[], rules: readonly ToleranceRule[], options: BuildOptions): ScenarioReproduction {
  const fingerprint = members.length ? scenarioFingerprint(members[0].result) : undefined;
  for (const m of members.slice(1)) {
    if (scenarioFingerprint(m.result) !== fingerprint) {
      throw new ClbenchError(`${m.file} and ${members[0].file} both ran '${name}' but with different stream, model, protocol or metric settings; pass results of one setting only`);
    }
  }
  const newest = [...members].sort((a, b) => a.result.createdAt.localeCompare(b.result.createdAt)).at(-1)?.result;
  // The reference block says what the paper reports, not how we ran: its current version applies to old runs too.
  const current = options.currentScenario?.(name) ?? options.expected?.find((c) => c.scenario.name === name);
  const recorded = newest?.scenario.reference ?? members.map((m) => m.result.scenario.reference).find(Boolean);
  const reference = current?.scenario.reference ?? recorded;
  const referenceFile = current?.scenario.reference ? current.file : undefined;
  const published = reference?.values ?? {};
  const hasValues = Object.values(published).some((values) => Object.keys(values).length > 0);

  // Each (learner, seed) must come from exactly one file, so every row has one unambiguous command.
  const runs = new Map<string, { run: RunRecord; member: LoadedResult }[]>();
  const owner = new Map<string, string>();
  for (const member of members) {
    for (const run of member.result.runs) {
      const key = `${run.learner}\0${run.seed}`;
      const first = owner.get(key);
      if (first) throw new ClbenchError(`${run.learner} seed ${run.seed} of '${name}' is in both ${first} and ${member.file}; keep one`);
      owner.set(key, member.file);
      runs.set(run.learner, [...(runs.get(run.learner) ?? []), { run, member }]);
    }
  }

  const problems: string[] = [];
  for (const [learner, own] of runs) {
    for (const { run, member } of own) {
      if (!completed(run)) problems.push(`${learner} seed ${run.seed} (${displayPath(member.file)}): ${run.status}${run.error ? `: ${run.error}` : ''}`);
    }
  }
  // Kept in the means, but said: one diverged episode can decide a mean over hundreds.
  const divergedEpisodes = [...runs.entries()].flatMap(([learner, own]) =>
    own.flatMap(({ run, member }) => {
      const count = divergedEpisodesOf(run);
      if (!completed(run) || count === 0) return [];
      return [`${learner} seed ${run.seed} (${displayPath(member.file)}): ${count} meta-test episode${count === 1 ? '' : 's'}`];
    }));
  const good = (learner: string) => (runs.get(learner) ?? []).filter(({ run }) => completed(run));
  const ours = (learner: string, metric: string) => meanStd(good(learner).map(({ run }) => run.metrics[metric]));
  const commandsOf = (learner: string) => [
    ...new Set(good(learner).map(({ member }) => member.result.command ?? `(no command recorded in ${displayPath(member.file)})`)),
  ];
  const anchors = reference?.anchors ?? [];
  const anchorValues = (learner: string, metric: string) => anchors.map((a) => a.values[learner]?.[metric] ?? null);
  const info = (learner: string, metric: string): ReproductionRow => ({
    learner, metric, paper: null, ours: ours(learner, metric), verdict: 'untested', commands: commandsOf(learner), anchors: anchorValues(learner, metric),
  });

  // The scenario's learners in its own order (the current file's, then every recorded list), then any other that ran.
  const learnerOrder = [
    ...new Set([
      ...(current?.scenario.learners ?? []).map(learnerLabel),
      ...members.flatMap((m) => m.result.scenario.learners.map(learnerLabel)),
      ...runs.keys(),
    ]),
  ];

  const rows: ReproductionRow[] = [];
  if (hasValues) {
    // The paper's rows as published; then, for information, our value of each metric the paper
    // reports where the paper has none for that learner.
    const reported = [...new Set(Object.values(published).flatMap((values) => Object.keys(values)))];
    for (const [learner, values] of Object.entries(published)) {
      for (const [metric, paper] of Object.entries(values)) {
        const cell = ours(learner, metric);
        const tolerance = toleranceFor(rules, name, metric);
        let verdict: Verdict;
        if (cell.mean === null) verdict = 'not run';
        else if (tolerance === undefined) verdict = 'untested';
        else verdict = Math.abs(cell.mean - paper) <= tolerance + EPSILON ? 'within' : 'outside';
        rows.push({
          learner, metric, paper, ours: cell, ...(tolerance !== undefined ? { tolerance } : {}), verdict, commands: commandsOf(learner), anchors: anchorValues(learner, metric),
        });
      }
      for (const metric of reported.filter((m) => !(m in values) && ours(learner, m).mean !== null)) rows.push(info(learner, metric));
    }
    for (const learner of learnerOrder.filter((l) => !(l in published) && good(l).length > 0)) {
      rows.push(...reported.filter((m) => ours(learner, m).mean !== null).map((m) => info(learner, m)));
    }
  } else if (newest) {
    const headline = headlineMetrics(newest, members.flatMap((m) => m.result.runs.filter(completed)));
    for (const learner of learnerOrder.filter((l) => good(l).length > 0)) rows.push(...headline.map((m) => info(learner, m)));
  }
  // Every anchored figure gets a row, run or not: it is the outside check where the paper's numbers are missing.
  for (const anchor of anchors) {
    for (const [learner, values] of Object.entries(anchor.values)) {
      for (const metric of Object.keys(values).filter((m) => !rows.some((r) => r.learner === learner && r.metric === m))) {
        const row = info(learner, metric);
        rows.push(row.ours.mean === null ? { ...row, verdict: 'not run' } : row);
      }
    }
  }
  const statements = (options.notRun ?? []).filter((st) => st.scenario === name);
  const whyNotRun = checkStatements(name, statements, members, learnerOrder, (l) => good(l).map(({ member }) => member.file));
  const explained = statements.flatMap((st) => (st.learners ? [{ learners: st.learners, why: st.why }] : []));
  // With no record at all the whole scenario is not run: said once, not learner by learner.
  const unrun = members.length ? learnerOrder.filter((l) => good(l).length === 0 && !rows.some((r) => r.learner === l) && !isExplained(explained, l)) : [];

  // The order of the learners on each judged metric, by the paper and by us.
  const orders: OrderCheck[] = [];
  for (const metric of [...new Set(rows.filter((r) => r.tolerance !== undefined).map((r) => r.metric))]) {
    const measured = rows.filter((r) => r.metric === metric && r.paper !== null && r.ours.mean !== null);
    if (measured.length < 2) continue;
    const learners = measured.map((r) => r.learner);
    const higher = newest ? isHigherBetter(newest, metric) : true;
    const paperOf = (l: string) => measured.find((r) => r.learner === l)!.paper!;
    const oursOf = (l: string) => measured.find((r) => r.learner === l)!.ours.mean!;
    orders.push({ metric, higher, paper: rank(learners, paperOf, higher), ours: rank(learners, oursOf, higher) });
  }

  const versions: Record<string, string> = {};
  const changed = current ? changedSinceRecorded(current.scenario, members) : [];
  for (const m of members) for (const [k, v] of Object.entries(m.result.versions ?? {})) versions[k] = versions[k] && versions[k] !== v ? `${versions[k]} / ${v}` : v;
  const description = newest?.scenario.description ?? current?.scenario.description;
  return {
    name,
    ...(description ? { description } : {}),
    ...(reference ? { source: reference.source } : {}),
    ...(reference?.note ? { note: reference.note } : {}),
    anchors,
    ...(referenceFile ? { referenceFile } : {}),
    unpublished: reference && !hasValues ? SEE_THE_PAPER : MISSING,
    files: members.map((m) => m.file),
    backends: [...new Set(members.map((m) => m.result.backend))],
    versions,
    seeds: [...new Set(members.flatMap((m) => m.result.runs.map((r) => r.seed)))].sort((a, b) => a - b),
    complete: members.every((m) => m.result.complete),
    rows,
    orders,
    orderings: checkOrderings(reference, (learner, metric) => ours(learner, metric).mean),
    unrun,
    ...(whyNotRun ? { whyNotRun } : {}),
    explained,
    problems,
    divergedEpisodes,
    changed,
    ...(current ? { scenarioFile: current.file } : {}),
  };
}

/** Whether a not-run statement of the scenario names `learner`. */
function isExplained(explained: ScenarioReproduction['explained'], learner: string): boolean {
  return explained.some((e) => e.learners.includes(learner));
}

/**
 * The reason a whole-scenario statement gives, after refusing statements the records contradict:
 * a stale reason on the page would claim a run is missing that the table shows.
 */
function checkStatements(
  name: string, statements: readonly NotRunStatement[], members: readonly LoadedResult[], learners: readonly string[], filesOf: (learner: string) => string[],
): string | undefined {
  let why: string | undefined;
  for (const st of statements) {
    if (!st.learners) {
      if (members.length) {
        throw new ClbenchError(`--not-run: '${name}' is said not to be run, but it has records (${members.map((m) => displayPath(m.file)).join(', ')}): name the learners still without a run, or remove the statement`);
      }
      why = st.why;
      continue;
    }
    if (!members.length) throw new ClbenchError(`--not-run: '${name}' has no record at all: say why for the whole scenario (leave out "learners")`);
    for (const learner of st.learners) {
      if (!learners.includes(learner)) throw new ClbenchError(`--not-run: '${name}' has no learner '${learner}' (its learners: ${learners.join(', ')})`);
      const files = filesOf(learner);
      if (files.length) throw new ClbenchError(`--not-run: '${name}' ${learner} is said not to be run, but ${files.map((f) => displayPath(f)).join(', ')} has a completed run of it: remove it from the statement`);
    }
  }
  return why;
}

/**
 * The records' settings beside the current scenario file's: a record made before a learner's
 * hyper-parameters or the stream, model or protocol changed no longer shows what the file runs.
 */
function changedSinceRecorded(current: Scenario, members: readonly LoadedResult[]): string[] {
  const setup = (s: Scenario) => {
    const { path: _path, ...stream } = s.stream;
    return { stream, model: s.model, protocol: s.protocol };
  };
  const lines = new Set<string>();
  for (const { result } of members) {
    for (const [part, then] of Object.entries(setup(result.scenario))) {
      const diff = changedSettings(then, setup(current)[part as keyof ReturnType<typeof setup>]);
      if (diff.length) lines.add(`${part}: ${diff.join(', ')}`);
    }
    for (const run of result.runs) {
      const spec = current.learners.find((l) => learnerLabel(l) === run.learner);
      if (!spec) {
        lines.add(`${run.learner}: no longer a learner of the scenario`);
        continue;
      }
      const { name: _name, ...now } = spec;
      const diff = changedSettings({ type: run.learnerType, ...run.options }, now);
      if (diff.length) lines.add(`${run.learner}: ${diff.join(', ')}`);
    }
  }
  return [...lines];
}

/**
 * Groups records by scenario name and compares each with its reference values; the expected
 * scenarios without a record get their section too. Sections in scenario-name order.
 */
export function buildReproductions(loaded: readonly LoadedResult[], rules: readonly ToleranceRule[], options: BuildOptions = {}): ScenarioReproduction[] {
  const byName = new Map<string, LoadedResult[]>();
  for (const item of loaded) byName.set(item.result.scenario.name, [...(byName.get(item.result.scenario.name) ?? []), item]);
  for (const { scenario } of options.expected ?? []) if (!byName.has(scenario.name)) byName.set(scenario.name, []);
  for (const st of options.notRun ?? []) {
    if (!byName.has(st.scenario)) throw new ClbenchError(`--not-run: no reproduction is named '${st.scenario}' (known: ${[...byName.keys()].sort().join(', ')})`);
  }
  return [...byName.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, members]) => reproduce(name, members, rules, options));
}

// ---------------------------------------------------------------------------------------------

/** Said of a scenario that has no record in this checkout. */
export const NO_RECORD = 'not run in this checkout: no committed record';

const MARK: Record<Verdict, string> = { within: '✓', outside: '✗ outside', untested: '·', 'not run': 'not run' };

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}

function tolerancesText(rules: readonly ToleranceRule[]): string {
  return rules.map((r) => `${r.scenario ? `${r.scenario} ` : ''}${r.metric} ±${r.tolerance}`).join('; ');
}

function row(r: ReproductionRow, unpublished: string): string {
  const cells = [
    escapeCell(r.learner),
    escapeCell(r.metric),
    r.paper === null ? unpublished : formatScore(r.paper),
    ...r.anchors.map((value) => formatAnchorValue(value ?? undefined)),
    r.ours.mean === null ? MISSING : `${formatMeanStd(r.ours)} (n=${r.ours.n})`,
    r.paper === null ? MISSING : formatDiff(r.ours.mean, r.paper),
    r.tolerance === undefined ? MISSING : `±${r.tolerance}`,
    MARK[r.verdict],
    r.commands.length ? r.commands.map((c) => escapeCell(code(c))).join('<br>') : MISSING,
  ];
  return `| ${cells.join(' | ')} |`;
}

function orderLine(o: OrderCheck): string {
  const sep = o.higher ? ' > ' : ' < ';
  const same = o.paper.join('\0') === o.ours.join('\0');
  return `- Order by ${o.metric}: paper ${o.paper.join(sep)}; ours ${o.ours.join(sep)} — ${same ? 'same order ✓' : '**different order ✗**'}`;
}

const ORDERING_MARK: Record<OrderingStatus, string> = { holds: '✓', fails: '✗', 'not run': 'not run:' };
const DIRECTION: Record<OrderingDirection, { words: string; sep: string }> = {
  higher: { words: 'higher is better', sep: ' ≥ ' },
  lower: { words: 'lower is better', sep: ' ≤ ' },
  closerToZero: { words: 'closer to 0 is better', sep: ' ≤ ' },
};

/** "ACC (higher is better): MER-500 0.850 ≥ ER-500 0.820 ≥ online (not run)". */
function orderingClaim(o: OrderingCheck): string {
  const { words, sep } = DIRECTION[o.better];
  const value = (mean: number | null) => (mean === null ? '(not run)' : o.better === 'closerToZero' ? `|${formatScore(mean)}|` : formatScore(mean));
  return `${o.metric} (${words}): ${o.learners.map((l) => `${l.learner} ${value(l.mean)}`).join(sep)}`;
}

/** The claim, and where it breaks: "… — fails: MER-500 is not at least ER-500". */
function orderingText(o: OrderingCheck): string {
  const relation: Record<OrderingDirection, string> = { higher: 'at least', lower: 'at most', closerToZero: 'as close to 0 as' };
  const broken = o.violations.map(([a, b]) => `${a} is not ${relation[o.better]} ${b}`);
  return `${orderingClaim(o)}${broken.length ? ` — **fails:** ${broken.join('; ')}` : ''}`;
}

function orderingLine(o: OrderingCheck): string {
  return `- ${ORDERING_MARK[o.status]} ${orderingText(o)}`;
}

/** The workflow of docs/reports.md, "Reproduction records", for a scenario with no record yet. */
function rerunText(name: string, scenarioFile: string): string {
  const out = `reports/reproductions/${name}`;
  return `Run and record it with ${code(`clbench run ${displayPath(scenarioFile)} --out ${out}`)}, then ${code(`clbench reproductions record ${out}`)}.`;
}

function scenarioSection(s: ScenarioReproduction): string[] {
  const lines = [`## ${s.name}`, ''];
  if (s.description) lines.push(oneLine(s.description), '');
  const versions = Object.entries(s.versions).map(([k, v]) => `${k} ${v}`).join(', ');
  const from = s.referenceFile ? ` (reference block of ${code(displayPath(s.referenceFile))})` : '';
  lines.push(
    s.source === undefined
      ? '- **Published values:** none (the scenario has no `reference` block)'
      : `- **Published values:** ${oneLine(s.source)}${s.note ? ` — ${oneLine(s.note)}` : ''}${from}`,
  );
  for (const a of s.anchors) lines.push(`- **Outside anchor, “${oneLine(a.label)}”:** ${oneLine(a.source)}${a.note ? ` — ${oneLine(a.note)}` : ''}`);
  if (s.files.length === 0) {
    const said = s.whyNotRun ? `not run in this checkout: ${oneLine(s.whyNotRun)}` : NO_RECORD;
    lines.push(`- **Our runs:** ${said}${s.scenarioFile ? `${/[.!?]$/.test(said) ? '' : '.'} ${rerunText(s.name, s.scenarioFile)}` : ''}`);
  } else {
    lines.push(
      `- **Our runs:** seeds ${s.seeds.join(', ')}; backend ${s.backends.map(code).join(', ')}${versions ? ` (${versions})` : ''}`,
      `- **Records:** ${s.files.map((f) => code(displayPath(f))).join(', ')}`,
    );
  }
  for (const e of s.explained) lines.push(`- **Not run here:** ${e.learners.join(', ')}: ${oneLine(e.why)}`);
  if (s.unrun.length) lines.push(`- **No completed runs yet:** ${s.unrun.join(', ')}`);
  if (s.changed.length) {
    const file = s.scenarioFile ? code(displayPath(s.scenarioFile)) : 'the scenario file';
    lines.push(`- **Recorded with settings ${file} no longer has** (rerun and record again): ${s.changed.map(oneLine).join('; ')}`);
  }
  if (!s.complete) lines.push('', '> **Partial:** at least one record says `complete: false` (recorded while its run was going); only finished runs are included.');
  if (s.rows.length) {
    lines.push(
      '',
      `| learner | metric | paper | ${s.anchors.map((a) => `${escapeCell(oneLine(a.label))} | `).join('')}ours (mean ± std, n) | difference | tolerance | verdict | command |`,
      `| :-- | :-- | --: | ${s.anchors.map(() => '--: | ').join('')}--: | --: | --: | :-- | :-- |`,
      ...s.rows.map((r) => row(r, s.unpublished)),
    );
  }
  if (s.orders.length) lines.push('', ...s.orders.map(orderLine));
  if (s.orderings.length) lines.push('', 'Orderings the paper reports, checked on our means:', '', ...s.orderings.map(orderingLine));
  if (s.problems.length) lines.push('', 'Runs left out of the means:', ...s.problems.map((p) => `- ${oneLine(p)}`));
  if (s.divergedEpisodes.length) {
    lines.push(
      '',
      `Fine-tuning diverged (\`divergedEpisodes\`: the score after the last step is not finite, or a loss over ${DIVERGENCE_RATIO} times the one before adapting). These runs stay in the means: a diverged episode counts in its run's adapt@k, and a run with a non-finite one has no adapt@k at that step (left out of that mean, so n drops).`,
      '',
      ...s.divergedEpisodes.map((d) => `- ${oneLine(d)}`),
    );
  }
  return lines;
}

function overview(all: readonly ScenarioReproduction[]): string[] {
  const rows = all.flatMap((s) => s.rows.map((r) => ({ s, r })));
  const judged = rows.filter(({ r }) => r.verdict === 'within' || r.verdict === 'outside');
  const outside = judged.filter(({ r }) => r.verdict === 'outside');
  const lines = [
    '## Overview',
    '',
    judged.length
      ? `${judged.length - outside.length} of ${judged.length} judged rows are within tolerance.`
      : 'No row is judged yet: no record has a run of a learner with a published value and a tolerance.',
  ];
  if (outside.length) {
    lines.push('', 'Outside tolerance:', ...outside.map(({ s, r }) => `- ${s.name}, ${r.learner}, ${r.metric}: paper ${formatScore(r.paper)}, ours ${formatMeanStd(r.ours)} (${formatDiff(r.ours.mean, r.paper ?? Number.NaN)})`));
  }
  const unrecorded = all.filter((s) => s.files.length === 0);
  // "scenario learner" → whether a not-run statement explains it; a map keeps each once, in page order.
  const notRunLearners = new Map<string, boolean>();
  for (const { s, r } of rows) if (r.verdict === 'not run' && s.files.length > 0) notRunLearners.set(`${s.name} ${r.learner}`, isExplained(s.explained, r.learner));
  for (const s of all) for (const l of [...s.unrun, ...s.explained.flatMap((e) => e.learners)]) notRunLearners.set(`${s.name} ${l}`, isExplained(s.explained, l));
  const said = unrecorded.filter((s) => s.whyNotRun);
  const unsaid = unrecorded.filter((s) => !s.whyNotRun);
  if (said.length) lines.push('', `Not run in this checkout, for the reason its section gives: ${said.map((s) => s.name).join(', ')}.`);
  if (unsaid.length) lines.push('', `Not run in this checkout (no committed record): ${unsaid.map((s) => s.name).join(', ')}.`);
  const learnersText = (explained: boolean) => [...notRunLearners].filter(([, e]) => e === explained).map(([key]) => key).join(', ');
  if (learnersText(true)) lines.push('', `Learners not run, for the reason their section gives: ${learnersText(true)}.`);
  if (learnersText(false)) lines.push('', `Not run (no record has them): ${learnersText(false)}.`);
  const outdated = all.filter((s) => s.changed.length > 0);
  if (outdated.length) lines.push('', `Records made with settings their scenario file no longer has: ${outdated.map((s) => s.name).join(', ')}.`);
  const reordered = all.flatMap((s) => s.orders.filter((o) => o.paper.join('\0') !== o.ours.join('\0')).map((o) => `${s.name} (${o.metric})`));
  if (all.some((s) => s.orders.length)) {
    lines.push('', reordered.length ? `Learners ranked differently from the paper: ${reordered.join(', ')}.` : 'Every scenario ranks its learners in the paper’s order.');
  }

  const orderings = all.flatMap((s) => s.orderings.map((o) => ({ s, o })));
  if (orderings.length) {
    const count = (status: OrderingStatus) => orderings.filter(({ o }) => o.status === status);
    const failed = count('fails');
    const waiting = count('not run');
    lines.push('', `Orderings the papers report: ${count('holds').length} of ${orderings.length} hold, ${failed.length} fail, ${waiting.length} not run.`);
    if (failed.length) lines.push('', 'Failed orderings:', ...failed.map(({ s, o }) => `- ${s.name}: ${orderingText(o)}`));
    // Those of scenarios without a record are all waiting, as the line above says once.
    const waitingOnLearners = waiting.filter(({ s }) => s.files.length > 0);
    if (waitingOnLearners.length) {
      const missing = (o: OrderingCheck) => o.learners.filter((l) => l.mean === null).map((l) => l.learner).join(', ');
      lines.push('', `Orderings not checked yet (learners not run): ${waitingOnLearners.map(({ s, o }) => `${s.name} ${o.metric} (${missing(o)})`).join(', ')}.`);
    }
  }
  return lines;
}

export interface RenderOptions {
  /** The command that regenerates this document. */
  readonly command: string;
  readonly rules: readonly ToleranceRule[];
  /** Markdown appended under "Notes" (investigations of the gaps), with the file it came from. */
  readonly notes?: { readonly file: string; readonly text: string };
}

export function renderReproductions(all: readonly ScenarioReproduction[], options: RenderOptions): string {
  const lines = [
    '# Reproductions',
    '',
    '<!-- Generated by `clbench reproductions`. Do not edit: change the scenarios or the notes file and regenerate. -->',
    '',
    'Published results beside ours. This file is generated by `clbench reproductions` from the reproduction records named under each scenario, never edited by hand. A record is committed in the repository: one run of a scenario with its settings fingerprint, backend and versions, and every run\'s accuracy matrices and metrics (`docs/reports.md`, “Reproduction records”, says how to add one). The `command` column is the exact command that produced each row, and rerunning it on the same backend gives the same numbers. Regenerate this page with:',
    '',
    `    ${options.command}`,
    '',
    `**Tolerance.** A row passes (✓) when |ours − paper| ≤ its metric's tolerance: ${tolerancesText(options.rules)}. Rows outside it are marked ✗ and discussed in the notes. Metrics without a tolerance (the values read off the papers' figures, such as BWT and FWT) are shown for information (·). Means are over completed runs; ± is the sample standard deviation over seeds, n the number of runs.`,
    ...(all.some((s) => s.rows.some((r) => r.paper === null))
      ? [
          '',
          `**Rows without a published value** say “${SEE_THE_PAPER}” in the paper column where the paper's tables are not available offline, and “${MISSING}” where the paper reports no value for that learner or metric; our means there are for information (·).`,
        ]
      : []),
    ...(all.some((s) => s.anchors.length > 0)
      ? [
          '',
          "**Outside anchors.** Where a scenario declares `reference.anchors`, its table has a column per anchor (such as “torch ref”): the figure another implementation printed on the same protocol, named under the scenario with where its protocol differs. It is the outside check where the paper's numbers are not at hand, shown for information, never judged.",
        ]
      : []),
    ...(all.some((s) => s.orderings.length > 0)
      ? [
          '',
          "**Orderings.** The rankings the papers report, declared in each scenario's `reference.orderings`, are tested on our means (the check where a paper's numbers are not at hand): ✓ holds, ✗ fails, “not run” while a learner in it has no completed run.",
        ]
      : []),
    '',
    ...overview(all),
  ];
  for (const s of all) lines.push('', ...scenarioSection(s));
  if (options.notes) {
    lines.push('', '## Notes', '', `_From ${code(displayPath(options.notes.file))}._`, '', options.notes.text.trim());
  }
  return `${lines.join('\n')}\n`;
}

/** Ordering counts for the CLI's one-line summary. */
export function orderingCounts(all: readonly ScenarioReproduction[]): Record<OrderingStatus, number> {
  const counts: Record<OrderingStatus, number> = { holds: 0, fails: 0, 'not run': 0 };
  for (const s of all) for (const o of s.orderings) counts[o.status]++;
  return counts;
}

/** Counts for the CLI's one-line summary. */
export function verdictCounts(all: readonly ScenarioReproduction[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { within: 0, outside: 0, untested: 0, 'not run': 0 };
  for (const s of all) for (const r of s.rows) counts[r.verdict]++;
  return counts;
}

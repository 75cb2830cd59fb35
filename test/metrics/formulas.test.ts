import { describe, it, expect } from 'vitest';
import { acc } from '../../src/metrics/acc.js';
import { bwt } from '../../src/metrics/bwt.js';
import { forgetting } from '../../src/metrics/forgetting.js';
import { fwt } from '../../src/metrics/fwt.js';
import { la } from '../../src/metrics/la.js';
import { averageLcaCurve, lca } from '../../src/metrics/lca.js';
import { computeMetrics, metrics } from '../../src/metrics/registry.js';
import type { MetricOptions, RunMatrices, Score } from '../../src/metrics/types.js';

// All matrices are 0-based: R[i][j] = score on task j after training tasks 0..i,
// b[j] = untrained score on task j, Z[k][s] = score on task k after s minibatches of task k.

const paper: MetricOptions = { normalization: 'T-1', lcaBeta: 2, lcaRule: 'mean' };
const code: MetricOptions = { normalization: 'T', lcaBeta: 2, lcaRule: 'mean' };

/** Expect a number close to `expected` (10 decimals), failing clearly on null. */
function expectScore(actual: Score, expected: number): void {
  expect(actual).not.toBeNull();
  expect(actual).toBeCloseTo(expected, 10);
}

// ---------------------------------------------------------------------------------------------
// 3x3 with a b row
// ---------------------------------------------------------------------------------------------
const R3: Score[][] = [
  [0.9, 0.2, 0.1],
  [0.7, 0.8, 0.3],
  [0.5, 0.6, 0.95],
];
const b3: Score[] = [0.1, 0.15, 0.05];
const Z3: Score[][] = [
  [0.1, 0.5, 0.7],
  [0.2, 0.4, 0.9],
  [0.0, 0.3, 0.8],
];
const run3: RunMatrices = { R: R3, b: b3, Z: Z3 };

describe('3x3 matrix with a b row', () => {
  it('ACC is the mean of the last row', () => {
    // ACC = (0.5 + 0.6 + 0.95) / 3 = 2.05 / 3
    expectScore(acc.compute(run3, paper), 2.05 / 3);
  });

  it('LA is the mean of the diagonal', () => {
    // LA = (0.9 + 0.8 + 0.95) / 3 = 2.65 / 3
    expectScore(la.compute(run3, paper), 2.65 / 3);
  });

  it("BWT with 'T-1' normalisation (paper)", () => {
    // BWT = ((0.5-0.9) + (0.6-0.8)) / 2 = -0.6 / 2 = -0.3
    expectScore(bwt.compute(run3, paper), -0.3);
  });

  it("BWT with 'T' normalisation (GEM/MER code)", () => {
    // BWT = ((0.5-0.9) + (0.6-0.8)) / 3 = -0.6 / 3 = -0.2
    expectScore(bwt.compute(run3, code), -0.2);
  });

  it("FWT with 'T-1' normalisation (paper)", () => {
    // FWT = ((R[0][1]-b1) + (R[1][2]-b2)) / 2 = ((0.2-0.15) + (0.3-0.05)) / 2 = 0.3 / 2 = 0.15
    expectScore(fwt.compute(run3, paper), 0.15);
  });

  it("FWT with 'T' normalisation (GEM code)", () => {
    // FWT = ((0.2-0.15) + (0.3-0.05)) / 3 = 0.3 / 3 = 0.1
    expectScore(fwt.compute(run3, code), 0.1);
  });

  it('forgetting equals -BWT(T-1) when every best score is on the diagonal', () => {
    // F = ((max(0.9,0.7)-0.5) + (max(0.2,0.8)-0.6)) / 2 = (0.4 + 0.2) / 2 = 0.3
    expectScore(forgetting.compute(run3, paper), 0.3);
    // normalisation applies only to BWT/FWT: F_T is always 1/(T-1)
    expectScore(forgetting.compute(run3, code), 0.3);
  });

  it('ACC, LA, forgetting and LCA do not depend on b', () => {
    const noB: RunMatrices = { ...run3, b: [null, null, null] };
    expectScore(acc.compute(noB, paper), 2.05 / 3);
    expectScore(la.compute(noB, paper), 2.65 / 3);
    expectScore(bwt.compute(noB, paper), -0.3);
    expectScore(forgetting.compute(noB, paper), 0.3);
    // FWT needs b1 and b2
    expect(fwt.compute(noB, paper)).toBeNull();
  });

  it('FWT ignores b0 (task 0 has no "before" score)', () => {
    const otherB0: RunMatrices = { ...run3, b: [null, 0.15, 0.05] };
    // FWT = ((0.2-0.15) + (0.3-0.05)) / 2 = 0.15, b0 is not used
    expectScore(fwt.compute(otherB0, paper), 0.15);
  });
});

// ---------------------------------------------------------------------------------------------
// 4x4 where forgetting's max over earlier rows matters
// ---------------------------------------------------------------------------------------------
const R4: Score[][] = [
  [0.6, 0.1, 0.1, 0.1],
  [0.8, 0.7, 0.2, 0.1], // task 0 improved after task 1: its best (0.8) is at row 1, not its diagonal
  [0.5, 0.9, 0.85, 0.2], // task 1 improved after task 2: its best (0.9) is at row 2
  [0.4, 0.6, 0.75, 0.9],
];
const b4: Score[] = [0.1, 0.1, 0.1, 0.1];
const run4: RunMatrices = { R: R4, b: b4, Z: [] };

describe('4x4 matrix', () => {
  it('forgetting takes the max over all earlier rows, not the diagonal', () => {
    // j=0: max(0.6, 0.8, 0.5) - 0.4 = 0.4
    // j=1: max(0.1, 0.7, 0.9) - 0.6 = 0.3
    // j=2: max(0.1, 0.2, 0.85) - 0.75 = 0.1
    // F = (0.4 + 0.3 + 0.1) / 3 = 0.8 / 3
    expectScore(forgetting.compute(run4, paper), 0.8 / 3);
    // a diagonal-only version would give (0.2 + 0.1 + 0.1) / 3 = 0.4 / 3: must differ
    expect(forgetting.compute(run4, paper)).not.toBeCloseTo(0.4 / 3, 5);
  });

  it('forgetting ranges l over every earlier row, including those before task j was trained (A-GEM)', () => {
    const R: Score[][] = R4.map((row) => [...row]);
    R[0][2] = 0.95; // task 2 scored 0.95 before it was trained on (row 0), above its diagonal 0.85
    // j=0: 0.4, j=1: 0.3 (as above); j=2: max(0.95, 0.2, 0.85) - 0.75 = 0.2
    // F = (0.4 + 0.3 + 0.2) / 3 = 0.9 / 3 = 0.3
    expectScore(forgetting.compute({ ...run4, R }, paper), 0.3);
  });

  it('forgetting can be negative when every task ends at its best', () => {
    const R: Score[][] = [
      [0.5, 0.0],
      [0.7, 0.9],
    ];
    // F = (max(0.5) - 0.7) / 1 = -0.2
    expectScore(forgetting.compute({ R, b: [0, 0], Z: [] }, paper), -0.2);
  });

  it('ACC and LA', () => {
    // ACC = (0.4 + 0.6 + 0.75 + 0.9) / 4 = 2.65 / 4 = 0.6625
    expectScore(acc.compute(run4, paper), 0.6625);
    // LA = (0.6 + 0.7 + 0.85 + 0.9) / 4 = 3.05 / 4 = 0.7625
    expectScore(la.compute(run4, paper), 0.7625);
  });

  it('BWT, both normalisations', () => {
    // BWT = ((0.4-0.6) + (0.6-0.7) + (0.75-0.85)) / 3 = -0.4 / 3
    expectScore(bwt.compute(run4, paper), -0.4 / 3);
    // BWT_T = -0.4 / 4 = -0.1
    expectScore(bwt.compute(run4, code), -0.1);
  });

  it('FWT, both normalisations', () => {
    // FWT = ((0.1-0.1) + (0.2-0.1) + (0.2-0.1)) / 3 = 0.2 / 3
    expectScore(fwt.compute(run4, paper), 0.2 / 3);
    // FWT_T = 0.2 / 4 = 0.05
    expectScore(fwt.compute(run4, code), 0.05);
  });
});

// ---------------------------------------------------------------------------------------------
// T = 1
// ---------------------------------------------------------------------------------------------
describe('T = 1', () => {
  const run1: RunMatrices = { R: [[0.7]], b: [0.1], Z: [[0.1, 0.4, 0.7]] };

  it('ACC and LA are defined', () => {
    // ACC = R[0][0] = 0.7; LA = R[0][0] = 0.7
    expectScore(acc.compute(run1, paper), 0.7);
    expectScore(la.compute(run1, paper), 0.7);
  });

  it('BWT, FWT and forgetting are null under both normalisations', () => {
    for (const options of [paper, code]) {
      expect(bwt.compute(run1, options)).toBeNull();
      expect(fwt.compute(run1, options)).toBeNull();
      expect(forgetting.compute(run1, options)).toBeNull();
    }
  });

  it('LCA is defined', () => {
    // LCA_2 = (0.1 + 0.4 + 0.7) / 3 = 1.2 / 3 = 0.4
    expectScore(lca.compute(run1, paper), 0.4);
  });
});

describe('T = 0', () => {
  it('every metric is null on an empty run', () => {
    const empty: RunMatrices = { R: [], b: [], Z: [] };
    for (const entry of metrics.list()) expect(entry.compute(empty, paper), entry.type).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Missing entries: a diverged run and a NaN score
// ---------------------------------------------------------------------------------------------
describe('missing row (run diverged at task 2)', () => {
  // As toRunMatrices leaves it: row 2 was never written.
  const diverged3: RunMatrices = {
    R: [
      [0.9, 0.2, 0.1],
      [0.7, 0.8, 0.3],
      [null, null, null],
    ],
    b: b3,
    Z: Z3, // LCA window of task 2 was complete before divergence
  };

  it('metrics needing row 2 are null', () => {
    expect(acc.compute(diverged3, paper)).toBeNull(); // needs R[2][*]
    expect(la.compute(diverged3, paper)).toBeNull(); // needs R[2][2]
    expect(bwt.compute(diverged3, paper)).toBeNull(); // needs R[2][0], R[2][1]
    expect(bwt.compute(diverged3, code)).toBeNull();
    expect(forgetting.compute(diverged3, paper)).toBeNull(); // needs R[2][0], R[2][1]
  });

  it('FWT (rows 0..1 and b only) and LCA (Z only) still compute', () => {
    // FWT = ((0.2-0.15) + (0.3-0.05)) / 2 = 0.15; with 'T': 0.3 / 3 = 0.1
    expectScore(fwt.compute(diverged3, paper), 0.15);
    expectScore(fwt.compute(diverged3, code), 0.1);
    // Z_0 = (0.1+0.2+0.0)/3 = 0.1, Z_1 = (0.5+0.4+0.3)/3 = 0.4, Z_2 = (0.7+0.9+0.8)/3 = 0.8
    // LCA_2 = (0.1 + 0.4 + 0.8) / 3 = 1.3 / 3
    expectScore(lca.compute(diverged3, paper), 1.3 / 3);
  });

  it('LCA is null when the divergence cut task 2’s LCA window short', () => {
    const cut: RunMatrices = { ...diverged3, Z: [Z3[0], Z3[1], [0.0, null, null]] };
    expect(lca.compute(cut, paper)).toBeNull();
    expect(lca.compute(cut, { ...paper, lcaRule: 'trapezoid' })).toBeNull();
  });

  it('in a 4x4 run diverged at task 2, FWT needs R[2][3] and is null too', () => {
    const diverged4: RunMatrices = {
      R: [R4[0], R4[1], [null, null, null, null], [null, null, null, null]],
      b: b4,
      Z: [],
    };
    for (const entry of [acc, la, bwt, fwt, forgetting]) {
      expect(entry.compute(diverged4, paper), entry.type).toBeNull();
    }
  });

  it('computeMetrics reports the same nulls and values', () => {
    const values = computeMetrics(diverged3, paper);
    expect(values.ACC).toBeNull();
    expect(values.LA).toBeNull();
    expect(values.BWT).toBeNull();
    expect(values.forgetting).toBeNull();
    expectScore(values.FWT, 0.15);
    expectScore(values.LCA, 1.3 / 3);
  });
});

describe('NaN entry', () => {
  it('NaN off the diagonal in an earlier row: only forgetting needs it', () => {
    const R: Score[][] = R3.map((row) => [...row]);
    R[1][0] = NaN;
    const run: RunMatrices = { ...run3, R };
    expectScore(acc.compute(run, paper), 2.05 / 3); // (0.5+0.6+0.95)/3
    expectScore(la.compute(run, paper), 2.65 / 3); // (0.9+0.8+0.95)/3
    expectScore(bwt.compute(run, paper), -0.3); // ((0.5-0.9)+(0.6-0.8))/2
    expectScore(fwt.compute(run, paper), 0.15); // ((0.2-0.15)+(0.3-0.05))/2
    expect(forgetting.compute(run, paper)).toBeNull(); // max(R[0][0], R[1][0]=NaN)
  });

  it('NaN on the diagonal: LA, BWT and forgetting are null, ACC and FWT compute', () => {
    const R: Score[][] = R3.map((row) => [...row]);
    R[1][1] = NaN;
    const run: RunMatrices = { ...run3, R };
    expect(la.compute(run, paper)).toBeNull();
    expect(bwt.compute(run, paper)).toBeNull(); // needs R[1][1]
    expect(forgetting.compute(run, paper)).toBeNull(); // max over R[0][1], R[1][1]
    expectScore(acc.compute(run, paper), 2.05 / 3);
    expectScore(fwt.compute(run, paper), 0.15);
  });

  it('NaN in the last row: ACC, BWT and forgetting are null, LA and FWT compute', () => {
    const R: Score[][] = R3.map((row) => [...row]);
    R[2][0] = NaN;
    const run: RunMatrices = { ...run3, R };
    expect(acc.compute(run, paper)).toBeNull();
    expect(bwt.compute(run, paper)).toBeNull();
    expect(forgetting.compute(run, paper)).toBeNull();
    expectScore(la.compute(run, paper), 2.65 / 3);
    expectScore(fwt.compute(run, paper), 0.15);
  });

  it('NaN in b: only FWT is null', () => {
    const run: RunMatrices = { ...run3, b: [0.1, 0.15, NaN] };
    expect(fwt.compute(run, paper)).toBeNull();
    expect(fwt.compute(run, code)).toBeNull();
    expectScore(acc.compute(run, paper), 2.05 / 3);
    expectScore(bwt.compute(run, paper), -0.3);
    expectScore(forgetting.compute(run, paper), 0.3);
  });

  it('NaN in Z: only LCA is null', () => {
    const run: RunMatrices = { ...run3, Z: [Z3[0], [0.2, NaN, 0.9], Z3[2]] };
    expect(lca.compute(run, paper)).toBeNull();
    expectScore(acc.compute(run, paper), 2.05 / 3);
  });
});

// ---------------------------------------------------------------------------------------------
// LCA
// ---------------------------------------------------------------------------------------------
describe('LCA', () => {
  // Two tasks, 11 points each (β' = 0..10).
  const Z0: Score[] = [0.0, 0.2, 0.6, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 1.0];
  const Z1: Score[] = [0.2, 0.4, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8];
  // Averaged over tasks: Z_b = [0.1, 0.3, 0.7, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9]
  const run: RunMatrices = { R: [], b: [], Z: [Z0, Z1] };
  const opts = (lcaBeta: number, lcaRule: 'mean' | 'trapezoid'): MetricOptions => ({
    normalization: 'T-1',
    lcaBeta,
    lcaRule,
  });

  it('averageLcaCurve averages over tasks per β′', () => {
    const curve = averageLcaCurve(run.Z, 10);
    const expected = [0.1, 0.3, 0.7, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9]; // (Z0[s] + Z1[s]) / 2
    expect(curve).toHaveLength(11);
    curve.forEach((v, s) => expectScore(v, expected[s]));
  });

  it("β = 2, rule 'mean'", () => {
    // LCA_2 = (0.1 + 0.3 + 0.7) / 3 = 1.1 / 3
    expectScore(lca.compute(run, opts(2, 'mean')), 1.1 / 3);
  });

  it("β = 2, rule 'trapezoid'", () => {
    // area = (0.1+0.3)/2 + (0.3+0.7)/2 = 0.2 + 0.5 = 0.7; LCA = 0.7 / 2 = 0.35
    expectScore(lca.compute(run, opts(2, 'trapezoid')), 0.35);
  });

  it("β = 10, rule 'mean'", () => {
    // sum = 0.1 + 0.3 + 0.7 + 7*0.8 + 0.9 = 7.6; LCA_10 = 7.6 / 11
    expectScore(lca.compute(run, opts(10, 'mean')), 7.6 / 11);
  });

  it("β = 10, rule 'trapezoid'", () => {
    // area = (0.1 + 0.9)/2 + (0.3 + 0.7 + 7*0.8) = 0.5 + 6.6 = 7.1; LCA = 7.1 / 10 = 0.71
    expectScore(lca.compute(run, opts(10, 'trapezoid')), 0.71);
  });

  it('β = 0: both rules give Z_0', () => {
    // LCA_0 = Z_0 = (0.0 + 0.2) / 2 = 0.1
    expectScore(lca.compute(run, opts(0, 'mean')), 0.1);
    expectScore(lca.compute(run, opts(0, 'trapezoid')), 0.1);
  });

  it('a task missing a Z point inside the window gives null; outside the window it does not matter', () => {
    const holed: RunMatrices = { ...run, Z: [Z0, Z1.map((v, s) => (s === 5 ? null : v))] };
    // β = 10 covers β' = 5: null under both rules
    expect(lca.compute(holed, opts(10, 'mean'))).toBeNull();
    expect(lca.compute(holed, opts(10, 'trapezoid'))).toBeNull();
    // β = 2 stops before β' = 5: unchanged
    expectScore(lca.compute(holed, opts(2, 'mean')), 1.1 / 3);
    expectScore(lca.compute(holed, opts(2, 'trapezoid')), 0.35);
  });

  it('a task missing its β′ = 0 point gives null for every β', () => {
    const noStart: RunMatrices = { ...run, Z: [Z0, [null, ...Z1.slice(1)]] };
    for (const beta of [0, 2, 10]) {
      expect(lca.compute(noStart, opts(beta, 'mean'))).toBeNull();
      expect(lca.compute(noStart, opts(beta, 'trapezoid'))).toBeNull();
    }
  });

  it('Z rows shorter than β + 1 give null', () => {
    const short: RunMatrices = { ...run, Z: [Z0.slice(0, 3), Z1.slice(0, 3)] };
    expectScore(lca.compute(short, opts(2, 'mean')), 1.1 / 3);
    expect(lca.compute(short, opts(10, 'mean'))).toBeNull();
  });

  it('no tasks gives null', () => {
    expect(lca.compute({ R: [], b: [], Z: [] }, opts(2, 'mean'))).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// computeMetrics
// ---------------------------------------------------------------------------------------------
describe('computeMetrics', () => {
  it('returns every registered metric that applies to the run, and only those', () => {
    const values = computeMetrics(run3, paper);
    const applicable = metrics.list().filter((m) => !m.appliesTo || m.appliesTo(run3)).map((m) => m.type);
    expect(Object.keys(values).sort()).toEqual(applicable.sort());
    expect(Object.keys(values).sort()).toEqual(
      ['ACC', 'BWT', 'FWT', 'LA', 'LCA', 'forgetting', 'minACC', 'WC-ACC', 'gapDepth', 'gapRecovery', 'AAA', 'stepsTo90', 'WF10'].sort(),
    );
    const withTaskIL = computeMetrics({ ...run3, taskIL: { R: R3 } }, paper);
    expect(Object.keys(withTaskIL).sort()).toEqual([...metrics.names()].sort());
  });

  it('values match the individual metrics on the 3x3 matrix', () => {
    const values = computeMetrics(run3, paper);
    expectScore(values.ACC, 2.05 / 3); // (0.5+0.6+0.95)/3
    expectScore(values.LA, 2.65 / 3); // (0.9+0.8+0.95)/3
    expectScore(values.BWT, -0.3); // ((0.5-0.9)+(0.6-0.8))/2
    expectScore(values.FWT, 0.15); // ((0.2-0.15)+(0.3-0.05))/2
    expectScore(values.forgetting, 0.3); // ((0.9-0.5)+(0.8-0.6))/2
    expectScore(values.LCA, 1.3 / 3); // Z_b = [0.1, 0.4, 0.8]; (0.1+0.4+0.8)/3
  });

  it('passes the options through', () => {
    const values = computeMetrics(run3, { normalization: 'T', lcaBeta: 2, lcaRule: 'trapezoid' });
    expectScore(values.BWT, -0.2); // -0.6 / 3
    expectScore(values.FWT, 0.1); // 0.3 / 3
    expectScore(values.LCA, 0.425); // ((0.1+0.4)/2 + (0.4+0.8)/2) / 2 = (0.25 + 0.6) / 2
  });

  it('every metric entry has a formula and a direction', () => {
    for (const entry of metrics.list()) {
      expect(entry.formula.length, entry.type).toBeGreaterThan(0);
      expect(typeof entry.higherIsBetter, entry.type).toBe('boolean');
    }
    expect(metrics.get('forgetting').higherIsBetter).toBe(false);
    expect(metrics.get('ACC').higherIsBetter).toBe(true);
  });
});

/**
 * Types for npm `quadprog` (a port of R's quadprog, Goldfarb–Idnani dual method), which ships none.
 * Like the Fortran original, every vector and matrix is 1-based: index 0 is unused.
 *
 * solveQP minimises  −dvecᵀb + ½ bᵀ Dmat b  subject to  Amatᵀ b ≥ bvec
 * (the first `meq` constraints as equalities).
 */
declare module 'quadprog' {
  export interface QpResult {
    /** The minimiser b (1-based). Absent when `message` reports an error. */
    readonly solution: number[];
    readonly value: number[];
    readonly unconstrained_solution: number[];
    readonly iterations: number[];
    readonly Lagrangian: number[];
    readonly iact: number[];
    /** Empty on success, else why the problem could not be solved. */
    readonly message: string;
  }

  export function solveQP(
    Dmat: number[][],
    dvec: number[],
    Amat: number[][],
    bvec: number[],
    meq?: number,
    factorized?: number[],
  ): QpResult;
}

import * as tf from '../../backend/tf.js';
import type { FunctionalModel } from '../../models/types.js';
import type { LossFn } from '../../models/losses.js';
import type { Adapted, Batch } from '../types.js';
import { type StepSizes, innerLoop } from './functional-sgd.js';

export interface SgdAdaptationSetup {
  readonly model: FunctionalModel;
  readonly lossFn: LossFn;
  readonly lr: StepSizes;
  /** Output head to adapt and predict with (multi-head models). */
  readonly head?: number;
  /** Which parameters adapt (default: every parameter of the shared trunk and of `head`). */
  readonly adapt?: readonly boolean[];
}

/** Parameters a step on `head` can move: the shared trunk and that head, not the other heads. */
export function headMask(model: FunctionalModel, head = 0): boolean[] {
  return model.params.map((p) => p.head === undefined || p.head === head);
}

/**
 * Test-time adaptation: plain SGD on one support set, off the gradient tape, into fast weights.
 * The base parameters are only read (never assigned or disposed), so adapting cannot change the
 * learner; each step() frees the previous fast weights.
 */
export class FastWeights implements Adapted {
  private current: tf.Tensor[];
  private readonly base: ReadonlySet<tf.Tensor>;
  private readonly x: tf.Tensor;
  private readonly y: tf.Tensor;
  private readonly mask: readonly boolean[];

  constructor(base: readonly tf.Tensor[], support: Batch, private readonly setup: SgdAdaptationSetup) {
    this.current = [...base];
    this.base = new Set(base);
    // Our own references: the caller may dispose its batch before this adaptation is done.
    this.x = tf.keep(support.x.clone());
    this.y = tf.keep(support.y.clone());
    this.mask = setup.adapt ?? headMask(setup.model, setup.head);
  }

  step(steps = 1): void {
    if (steps <= 0) return;
    const { model, lossFn, lr, head } = this.setup;
    const loss = (p: readonly tf.Tensor[]) => lossFn(model.forward(p, this.x, head), this.y);
    const next = tf.tidy(() => innerLoop(loss, this.current, { steps, lr, adapt: this.mask }));
    this.release(next);
    this.current = next;
  }

  predict(x: tf.Tensor): tf.Tensor {
    return this.setup.model.forward(this.current, x, this.setup.head);
  }

  /** The current fast weights (read-only; valid until the next step() or dispose()). */
  get params(): readonly tf.Tensor[] {
    return this.current;
  }

  dispose(): void {
    this.release([]);
    this.current = [...this.base];
    tf.dispose([this.x, this.y]);
  }

  /** Frees fast weights we created that `keep` does not reuse. */
  private release(keep: readonly tf.Tensor[]): void {
    for (const t of this.current) if (!this.base.has(t) && !keep.includes(t)) t.dispose();
  }
}

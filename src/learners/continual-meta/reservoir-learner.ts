import type { Rng } from '../../util/rng.js';
import type { StoredExamples } from '../base/example-memory.js';
import { ModelLearner } from '../base/model-learner.js';
import { ReplayBuffer } from '../base/replay-buffer.js';
import type { LearnerContext } from '../types.js';
import { drawWithReplacement } from './stored-rows.js';

/**
 * A ModelLearner that replays from a reservoir (a uniform sample of every example offered so
 * far), drawing with replacement from its own generator: the memory MER and gradalign share.
 */
export abstract class ReservoirLearner extends ModelLearner {
  protected buffer!: ReplayBuffer;
  private drawRng!: Rng;

  constructor(lr: number, private readonly memorySize: number) {
    super({ lr });
  }

  override setup(ctx: LearnerContext): void {
    super.setup(ctx);
    const capacity = this.memorySize;
    this.buffer = ReplayBuffer.forStream(ctx.stream, { policy: 'reservoir', capacity }, ctx.rng.fork('reservoir'));
    this.drawRng = ctx.rng.fork('replay-draws');
  }

  /** min(k, stored) examples drawn uniformly with replacement (as MER's code and the PyTorch reference draw). */
  protected drawReplay(k: number): StoredExamples {
    return drawWithReplacement(this.buffer, k, this.drawRng);
  }
}

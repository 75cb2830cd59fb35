import * as tf from '../../backend/tf.js';
import type { JsonSchema } from '../../util/registry.js';

export type OptimizerName = 'sgd' | 'momentum' | 'adam';

export interface OptimizerOptions {
  readonly lr: number;
  readonly optimizer?: OptimizerName;
  readonly momentum?: number;
}

/** The options every gradient-based learner shares; learners spread these into their schema. */
export const optimizerSchema: Record<string, JsonSchema> = {
  lr: { type: 'number', exclusiveMinimum: 0, description: 'Learning rate' },
  optimizer: { enum: ['sgd', 'momentum', 'adam'], default: 'sgd', description: 'Update rule' },
  momentum: { type: 'number', minimum: 0, maximum: 1, default: 0.9, description: 'Momentum (optimizer "momentum")' },
};

export function makeOptimizer({ lr, optimizer = 'sgd', momentum = 0.9 }: OptimizerOptions): tf.Optimizer {
  switch (optimizer) {
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, momentum);
    case 'adam':
      return tf.train.adam(lr);
  }
}

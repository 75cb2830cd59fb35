import { describe, expect, it } from 'vitest';
import * as tf from '../../src/backend/tf.js';
import { LearnerRegistry } from '../../src/learners/learner-registry.js';
import { learners } from '../../src/learners/registry.js';
import type { Learner } from '../../src/learners/types.js';
import { ClbenchError } from '../../src/util/errors.js';
import { learnerContext } from './learner-context.js';

/** A registry holding one learner that records the options its factory receives. */
function probeRegistry(): { registry: LearnerRegistry; received: unknown[] } {
  const received: unknown[] = [];
  const registry = new LearnerRegistry();
  const idle: Learner = { setup: () => {}, observe: () => {}, predict: (x) => x, dispose: () => {} };
  registry.register({
    type: 'probe',
    description: 'records its options',
    options: {
      type: 'object',
      properties: {
        lr: { type: 'number', exclusiveMinimum: 0 },
        steps: { type: 'integer', minimum: 1, default: 3 },
        inner: { type: 'object', default: {}, properties: { depth: { type: 'integer', default: 2 } } },
      },
      required: ['lr'],
    },
    create: (options) => {
      received.push(options);
      return idle;
    },
  });
  return { registry, received };
}

describe('the learner registry applies the schema defaults', () => {
  it('hands the factory complete options, by create(type) and by get(type).create alike, without touching the caller’s', () => {
    const { registry, received } = probeRegistry();
    const given = { lr: 0.5, inner: {} };
    registry.create('probe', given);
    registry.get('probe').create({ lr: 0.5, steps: 7 } as never);
    expect(received).toEqual([
      { lr: 0.5, steps: 3, inner: { depth: 2 } },
      { lr: 0.5, steps: 7, inner: { depth: 2 } },
    ]);
    expect(given).toEqual({ lr: 0.5, inner: {} });
  });

  it('names the learner and the field at fault', () => {
    const { registry } = probeRegistry();
    expect(() => registry.create('probe', { lr: 0.5, inner: { depth: 'deep' } })).toThrow(ClbenchError);
    expect(() => registry.create('probe', { lr: 0.5, inner: { depth: 'deep' } })).toThrow(/learner probe: inner\.depth must be integer/);
    expect(() => registry.create('probe', {})).toThrow(/learner probe: options must have required property 'lr'/);
  });

  it('gives a built-in learner built by name the defaults its code reads (EWC’s λ and Fisher samples)', () => {
    const ewc = learners.create('ewc', { lr: 0.1 });
    ewc.setup(learnerContext({ inputSize: 2, outputSize: 2 }));
    const x = tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0]]);
    const y = tf.tensor1d([0, 1, 1, 0], 'int32');
    ewc.beginTask?.({ index: 0, id: 't0' }, { x, y, size: 4, taskIndex: 0 });
    ewc.observe({ x, y, size: 4, taskIndex: 0 });
    ewc.endTask?.({ index: 0, id: 't0' }, { x, y, size: 4, taskIndex: 0 });
    ewc.beginTask?.({ index: 1, id: 't1' }, { x, y, size: 4, taskIndex: 1 });
    // Without λ the penalty would be NaN, and so would the loss.
    expect(Number.isFinite(ewc.observe({ x, y, size: 4, taskIndex: 1 }) as number)).toBe(true);
    tf.dispose([x, y]);
    ewc.dispose();
  });
});

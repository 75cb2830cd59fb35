/**
 * clbench's public API: the registries (to add your own streams, models, learners and metrics),
 * the shapes they share, and the runner. See examples/custom-learner.ts.
 */
export * as tf from './backend/tf.js';
export { BACKENDS, type BackendInfo, type BackendName, GPU_MODELS, autoBackendOrder, useBackend } from './backend/select.js';

export type { Split, Task, TaskStream, StreamInfo, ProblemKind } from './streams/types.js';
export type { StreamEntry, StreamSpec } from './streams/stream-entry.js';
export { streams } from './streams/registry.js';
export { loadImageDataset, type ImageDataset, type ImageDatasetName } from './streams/datasets/image-dataset.js';
export { readIdx } from './streams/datasets/idx.js';
export { type Episode, type EpisodeStream, type EpisodeStreamInfo, type TaskDistribution, episodeStream, isTaskDistribution } from './streams/episodes.js';
export { loadOmniglot, type OmniglotSet } from './streams/datasets/omniglot.js';

export type { FunctionalModel, ModelEntry, ModelSpec, ParamSpec } from './models/types.js';
export { models } from './models/registry.js';
export { mlp } from './models/mlp.js';
export { conv4 } from './models/conv4.js';

export type { Adapted, AdaptOptions, Batch, EpisodeBatch, Learner, LearnerContext, LearnerEntry, LearnerSpec, MetaBatch, TaskInfo, TrainSplit } from './learners/types.js';
export { learners } from './learners/registry.js';
export { LearnerRegistry } from './learners/learner-registry.js';
export { ModelLearner, initVariables, toVariables } from './learners/base/model-learner.js';
export { ExampleMemory, gatherRows, withFields, type FieldWidths, type StoredExamples } from './learners/base/example-memory.js';
export { ReplayBuffer, bufferPolicies, labelWidthOf, type BufferPolicy, type ReplayBufferOptions } from './learners/base/replay-buffer.js';
export { replayBatchOf, replayBufferFor, replaySchema, type ReplayDefaults, type ReplayOptions } from './learners/base/replay-options.js';
export { disposeDraw, uploadDraw, type ReplayDraw } from './learners/base/replay-draw.js';
export { mixedTaskForward, mixedTaskLoss } from './learners/base/mixed-task-loss.js';
export { parameterGradients, type ParameterGradients } from './learners/base/flat-gradients.js';
export { optimizerSchema, makeOptimizer, type OptimizerOptions } from './learners/base/optimizer.js';
export { crossEntropy, meanSquaredError, lossFor, trainingLossFor, secondOrderLossFor, type LossFn } from './models/losses.js';
export { uploadRows, uploadMatrix, type HostRows, type RowShape } from './streams/upload.js';
export { innerLoop, sgdStep, type ParamLoss, type StepSizes } from './learners/meta/functional-sgd.js';
export { FastWeights } from './learners/meta/fast-weights.js';
export { MetaLearner, metaOptionsSchema, type MetaOptions } from './learners/meta/meta-learner.js';
export { Maml, type MamlOptions } from './learners/meta/maml.js';
export { EpisodeMetaBatch } from './learners/meta/meta-batch.js';
export { type TaskBatchedForward, type TaskBatchedModel, taskBatchedForward } from './learners/meta/task-batched.js';

export type { MetricEntry, MetricOptions, MetricValues, RunMatrices, Score } from './metrics/types.js';
export { metrics, computeMetrics } from './metrics/registry.js';
export { toRunMatrices } from './metrics/operators/to-run-matrices.js';
export { toMetrics } from './metrics/operators/to-metrics.js';
export { toLearningCurves, type CurvePoint } from './metrics/operators/to-learning-curves.js';
export { adaptationAuc, adaptationCurve, meanCi95, stepsToTarget, type AdaptationPoint } from './metrics/adaptation.js';
export { toAdaptationResult, type AdaptationResult } from './metrics/operators/to-adaptation-result.js';

export type { RunEvent, EvalEvent, EvalPhase, RunKey, MetaStartEvent, MetaStepEvent, AdaptEvalEvent } from './events/run-events.js';
export type { RunRecord, RunResult, SummaryCell } from './runner/result.js';
export type { RunPlan } from './runner/driver.js';
export { runOne } from './runner/run-one.js';
export { runMeta } from './runner/run-meta.js';
export { runAndCollect, runPlan, type RunAndCollectOptions } from './runner/run-plan.js';
export { runScenario, type RunScenarioOptions } from './runner/run-scenario.js';
export { renderHtmlReport, renderRunHtml } from './report/html/render-html.js';
export { loadResults, groupResults, type ReportGroup } from './report/load-results.js';
export { loadScenario, resolveScenario } from './scenario/load.js';
export type { Scenario, Protocol, ContinualProtocol, MetaProtocol } from './scenario/types.js';

export { expandSweep, countSweepRuns } from './sweep/expand.js';
export { runIdentity } from './sweep/identity.js';
export { planSweep, type PlannedRun, type SweepPlan } from './sweep/plan.js';
export { runSweep, type RunSweepOptions, type SweepSummary } from './sweep/run-sweep.js';
export { ResultsStore } from './store/results-store.js';
export { readResults, type ReadResultsOptions } from './store/read-results.js';
export type { RunSummary, StoredStatus } from './store/types.js';

export { Rng } from './util/rng.js';
export { ClbenchError } from './util/errors.js';
export { Registry, type JsonSchema } from './util/registry.js';
export { withDefaults } from './util/options.js';

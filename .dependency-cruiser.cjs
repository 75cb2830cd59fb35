/**
 * The import rules of clbench (docs/architecture.md, "Layers"): a module imports only from its own
 * layer or the layers below it, and no import forms a cycle. Run by scripts/test.sh:
 *   npx depcruise src --config .dependency-cruiser.cjs
 */
const layers = [
  ['util', ['src/util', 'src/types']],
  ['backend', ['src/backend']],
  ['data, models, metrics, events', ['src/streams', 'src/models', 'src/metrics', 'src/events']],
  ['learners', ['src/learners']],
  ['scenario', ['src/scenario']],
  ['runner', ['src/runner']],
  ['report, store, sweep, bench', ['src/report', 'src/store', 'src/sweep', 'src/bench']],
  ['cli', ['src/cli', 'src/index.ts']],
];

const pathsOf = (dirs) => `^(${dirs.map((d) => d.replace(/\./g, '\\.')).join('|')})(/|$)`;

const upward = layers.slice(0, -1).map(([name, dirs], i) => ({
  name: `no-import-up-from-${name.replace(/[^a-z]+/g, '-')}`,
  comment: `${name} may import only from its own layer and those below it`,
  severity: 'error',
  from: { path: pathsOf(dirs) },
  to: { path: pathsOf(layers.slice(i + 1).flatMap(([, d]) => d)) },
}));

module.exports = {
  forbidden: [
    ...upward,
    { name: 'no-cycles', comment: 'an import cycle ties modules that should stand alone', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'no-unlayered-source',
      comment: 'every source folder belongs to a layer: add new ones to the list above',
      severity: 'error',
      from: { path: '^src/', pathNot: pathsOf(layers.flatMap(([, d]) => d)) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};

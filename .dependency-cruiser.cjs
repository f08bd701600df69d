/**
 * The import boundaries of the layout (README "Layout"), checked by `npm run lint`.
 * dependency-cruiser resolves real imports (type-only ones included), so a rule here is a rule
 * on the code, not on its comments. test/boundaries.test.ts runs this file on deliberate
 * violations (test/fixtures/boundaries/) to show each rule can fail.
 */

/** Adapters: the files that talk to Azure Table/Queue storage, Graph, ARM, ACS or the file system. */
const ADAPTERS = [
  '^shared/storage/',
  '^shared/(activity|delivery|rateLimit|sources|escalation)/table[^/]*\\.ts$',
  '^shared/queues/(storage[^/]*|queues)\\.ts$',
  '^shared/sources/(graph|pimRequest)[^/]*\\.ts$',
  '^shared/directory/(graphDirectory|snapshotDirectory)\\.ts$',
  '^shared/directory/(graph|arm|snapshot)/',
  '^shared/transport/(acsTransport|outboxTransport)\\.ts$',
  '^shared/transport/acs/',
  '^shared/confirm/(pimRecordConfirmer|pimRequestRecords)\\.ts$',
];

/** Pure modules: decisions and data shapes only, no SDK and no I/O. */
const PURE = '^shared/(events|rules|time)/|^shared/log\\.ts$';

/** What only developers run: never reachable from what ships. */
const DEVELOPMENT = '^(dev|bin|bench|test|scripts)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle makes load order matter and hides which module owns what.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'pure-imports-no-package',
      severity: 'error',
      comment: 'events/, rules/, time/ and log.ts are pure: no npm package besides zod and luxon.',
      from: { path: PURE },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        pathNot: '(^|/)node_modules/(zod|luxon)/',
      },
    },
    {
      name: 'pure-imports-no-adapter',
      severity: 'error',
      comment: 'events/, rules/, time/ and log.ts are pure: they never import an adapter.',
      from: { path: PURE },
      to: { path: ADAPTERS },
    },
    {
      name: 'usecases-import-no-adapter',
      severity: 'error',
      comment:
        'Use cases, and the planning, delivery and rate-limit steps they run, take ports (RoleDirectory, Transport, DeliveryLedger...); the composition root picks the adapters.',
      from: { path: '^shared/(usecases|planning)/|^shared/delivery/(deliver|batching)\\.ts$|^shared/rateLimit/holdBack\\.ts$' },
      to: { path: [...ADAPTERS, '^shared/composition/'] },
    },
    {
      name: 'functions-import-composition-and-usecases',
      severity: 'error',
      comment: 'functions/ entries are thin: the composition root, the use cases and @azure/functions types only.',
      from: { path: '^functions/' },
      to: { pathNot: ['^shared/(composition|usecases)/', '(^|/)node_modules/@azure/functions/'] },
    },
    {
      name: 'shipped-imports-no-development',
      severity: 'error',
      comment: 'functions/ and shared/ ship; dev/, bin/, bench/, test/ and scripts/ do not (docs/deploy.md).',
      from: { path: '^(shared|functions)/' },
      to: { path: DEVELOPMENT },
    },
    {
      name: 'shared-imports-no-function',
      severity: 'error',
      comment: 'functions/ depends on shared/, never the other way round.',
      from: { path: '^shared/' },
      to: { path: '^functions/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage)/|^test/fixtures/boundaries/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
  },
};

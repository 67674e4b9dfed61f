/**
 * The architecture rules of the repository, shared by eslint.config.mjs and the test that proves
 * they bite (libs/domain/src/architecture.spec.ts).
 *
 * Pure libraries (domain, site schema, tariffs, forecasting, the optimiser model, effacement, allocation, reports, the
 * wire protocol) import no framework, no broker client, no database driver and no metrics client, and no adapter
 * library of ours (libs/protocol, the wire contract and every inbound check, included: issue 25). Libraries are
 * imported by their alias. Apps do not import each other (apps/ilot excepted).
 */
const PURE_LIBS = [
  'libs/domain/**',
  'libs/site/**',
  'libs/tariffs/**',
  'libs/forecasting/**',
  'libs/optimiser/**',
  'libs/effacement/**',
  'libs/allocation/**',
  'libs/acc/**',
  'libs/invoicing/**',
  'libs/reports/**',
  'libs/protocol/**',
  'libs/sunspec/**',
  'libs/tic/**',
];

const pureLibraryRule = {
  files: PURE_LIBS,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['@nestjs/*'], message: 'pure libraries do not depend on Nest: inject through ports instead' },
          {
            group: ['mqtt', 'mqtt/*', 'aedes'],
            message: 'pure libraries do not talk MQTT: that is an adapter in apps/ or libs/mqtt',
          },
          {
            group: ['pg', 'pg/*', 'typeorm', 'typeorm/*'],
            message: 'pure libraries do not touch the database: that is a repository in libs/timeseries',
          },
          { group: ['prom-client'], message: 'pure libraries do not export metrics: apps do' },
          {
            group: ['modbus-serial', 'serialport', 'ocpp-rpc'],
            message: 'pure libraries do not talk to devices: that is a driver in apps/edge',
          },
          {
            group: ['@ilot/mqtt', '@ilot/timeseries', '@ilot/runtime', '@ilot/simulators'],
            message: 'pure libraries do not import adapter libraries',
          },
        ],
      },
    ],
  },
};

/** Libraries are imported through their @ilot/<lib> alias, never by a relative path into another library. */
const crossLibraryRule = {
  files: ['libs/**', 'apps/**', 'simulators/**', 'test/**'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['**/libs/*/src/**', '../../libs/**'], message: 'import a library through its @ilot/<lib> alias' },
        ],
      },
    ],
  },
};

/**
 * An app is a composition root: it never reaches into another app, the tests or the simulators by a relative path
 * (what two apps share lives in a lib: libs/residents, libs/protocol). apps/ilot, the all-in-one, composes the others.
 */
const APP_PATTERNS = [
  {
    group: ['../../*/src/**', '../../../*/src/**', '../../../../*/src/**'],
    message: 'an app does not import another app: move what they share to a lib',
  },
  {
    group: ['**/test/**', '**/simulators/**'],
    message: 'an app does not import tests or simulators by path: a lib (or @ilot/simulators) serves both',
  },
];
const appBoundaryRule = {
  files: ['apps/**'],
  ignores: ['apps/ilot/**'],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [...APP_PATTERNS, ...crossLibraryRule.rules['no-restricted-imports'][1].patterns] },
    ],
  },
};

module.exports = { PURE_LIBS, pureLibraryRule, crossLibraryRule, appBoundaryRule };

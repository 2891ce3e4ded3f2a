// One jest config, three tiers. Unit: pure and fast (*.spec.ts). Integration: real SQLite
// files, the real PostgreSQL server, a real Kafka broker (*.int-spec.ts). End-to-end: the
// running apps over real HTTP (test/**/*.e2e-spec.ts).
const { pathsToModuleNameMapper } = require('./scripts/jest-paths');

const shared = {
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(),
  testEnvironment: 'node',
  rootDir: __dirname,
};

const sqliteErrors = '<rootDir>/scripts/jest-sqlite-errors.js';

module.exports = {
  globalSetup: '<rootDir>/scripts/jest-global-setup.js',
  rootDir: __dirname,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,scripts}/**/*.spec.ts'] },
    // only the tiers that open SQLite databases: loading better-sqlite3 in each unit file cost the unit tier 1–2 s
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs,scripts}/**/*.int-spec.ts'], setupFiles: [sqliteErrors] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], setupFiles: [sqliteErrors] },
  ],
};

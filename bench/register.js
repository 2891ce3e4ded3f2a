// Runs the benchmark's TypeScript directly: `node --require ./bench/register.js bench/run.ts`.
// Transpiles each .ts file with @swc/core (already a dev dependency; the same settings as jest's
// @swc/jest transform, so the libraries run exactly as in the tests) and resolves the
// @lianban/* path aliases of tsconfig.base.json. No type checking here: `npm run typecheck`
// covers bench/**.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const swc = require('@swc/core');

const ROOT = path.resolve(__dirname, '..');
const { compilerOptions } = require(path.join(ROOT, 'tsconfig.base.json'));

const aliases = Object.entries(compilerOptions.paths).map(([alias, [target]]) => ({
  prefix: alias.replace('/*', '/'),
  exact: !alias.endsWith('/*'),
  target: path.join(ROOT, target.replace('/*', '')),
}));

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (request.startsWith('@lianban/')) {
    for (const a of aliases) {
      if (a.exact && request === a.prefix) return resolveFilename.call(this, a.target, parent, ...rest);
      if (!a.exact && request.startsWith(a.prefix)) {
        return resolveFilename.call(this, path.join(a.target, request.slice(a.prefix.length)), parent, ...rest);
      }
    }
  }
  return resolveFilename.call(this, request, parent, ...rest);
};

const options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

require.extensions['.ts'] = function (module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = swc.transformSync(source, { ...options, filename });
  module._compile(code, filename);
};

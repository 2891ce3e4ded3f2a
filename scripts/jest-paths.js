// Maps the tsconfig path aliases (@lianban/*) for jest, so tests import libraries the way apps do.
const { compilerOptions } = require('../tsconfig.base.json');

function pathsToModuleNameMapper() {
  const out = {};
  for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
    const key = '^' + alias.replace('/*', '/(.*)') + '$';
    out[key] = '<rootDir>/' + target.replace('/*', '/$1');
  }
  return out;
}
module.exports = { pathsToModuleNameMapper };

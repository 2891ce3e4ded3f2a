const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalTeardown() {
  if (globalThis.__LIANBAN_STARTED_KAFKA__) execFileSync(path.join(__dirname, 'kafka', 'stop.sh'), { stdio: 'inherit' });
};

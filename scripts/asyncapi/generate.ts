import * as fs from 'node:fs';
import * as path from 'node:path';
import { ASYNCAPI_FILE } from './catalogue';
import { renderAsyncApi, repositoryRoot } from './document';

/**
 * `npm run asyncapi` writes docs/asyncapi.yaml from the code; `npm run asyncapi -- --check`
 * only says whether the file is current (exit 1 when not).
 */
function main(): void {
  const root = repositoryRoot();
  const file = path.join(root, ASYNCAPI_FILE);
  const text = renderAsyncApi(root);
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  if (process.argv.includes('--check')) {
    if (current === text) return console.log(`${ASYNCAPI_FILE} is up to date`);
    console.error(`${ASYNCAPI_FILE} is out of date: run npm run asyncapi`);
    process.exit(1);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  console.log(current === text ? `${ASYNCAPI_FILE} unchanged` : `wrote ${ASYNCAPI_FILE}`);
}

main();

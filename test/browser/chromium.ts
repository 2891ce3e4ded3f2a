import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium (scripts/ci/install-chromium.sh); the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile. A machine without /usr/bin/chromium fails the test
 * that asked for it, saying how to install it: a browser test that cannot run is not a pass.
 */
export async function launchChromium(): Promise<Chromium> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests drive Debian's chromium. Install it with scripts/ci/install-chromium.sh (apt-get install chromium).`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lianban-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** where screenshots go: test/artifacts/ (gitignored) */
export function artifact(name: string): string {
  const dir = path.resolve(__dirname, '../artifacts');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

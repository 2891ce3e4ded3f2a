import { startStandalone, type RunningApp } from './standalone';
import { createTestDatabase } from './postgres';

/**
 * The event stores the end-to-end suites run on here: the embedded default and PostgreSQL
 * (the server of the test tiers). EventStoreDB is not among them: no server can be installed
 * on these machines (libs/eventstore/README.md says how to run its contract yourself).
 */
export const E2E_STORES = ['sqlite', 'postgres'] as const;
export type E2eStore = (typeof E2E_STORES)[number];

/**
 * startStandalone on the given store, still embedded (BUS=memory: dev tokens, the clock
 * header). For postgres the app gets a database of its own, dropped again by close().
 */
export async function startStandaloneOn(
  store: E2eStore,
  opts: { dataDir?: string; env?: Record<string, string> } = {},
): Promise<RunningApp> {
  if (store === 'sqlite') return expectStore(await startStandalone(opts), 'sqlite');
  const db = await createTestDatabase('lianban_e2e');
  let running: RunningApp;
  try {
    running = await startStandalone({ ...opts, env: { EVENTSTORE: 'postgres', DATABASE_URL: db.url, ...opts.env } });
    await expectStore(running, 'postgres');
  } catch (error) {
    await db.drop();
    throw error;
  }
  return {
    ...running,
    close: async () => {
      try {
        await running.close();
      } finally {
        await db.drop();
      }
    },
  };
}

/** A suite parametrised by store must not pass on the default store by mistake. */
async function expectStore(running: RunningApp, kind: E2eStore): Promise<RunningApp> {
  const health = (await (await fetch(`${running.url}/health`)).json()) as { store?: { kind?: string } };
  if (health.store?.kind !== kind) {
    await running.close();
    throw new Error(`asked for the standalone app on ${kind}, but /health reports ${JSON.stringify(health.store)}`);
  }
  return running;
}

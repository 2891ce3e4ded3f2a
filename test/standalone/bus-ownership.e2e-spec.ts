import { BusClosedError, InProcessBus, type MessageBus } from '@lianban/messaging';
import { MESSAGE_BUS } from '@lianban/platform';
import { startStandalone } from '@lianban/testing/standalone';

jest.setTimeout(60_000);

const message = { key: 'case-1', value: Buffer.from('{}') };

/**
 * Who closes the bus on shutdown (PlatformPorts): a bus the app made from configuration is the
 * app's, a bus it was given is the caller's — two regions' deployments in one process share one,
 * and the first to stop must not take it from the other.
 */
describe('the standalone app and its bus on shutdown', () => {
  it('leaves a bus it was given open: its owner can still publish, and closes it', async () => {
    const bus = new InProcessBus();
    await bus.createTopics([{ topic: 'given', partitions: 1 }]);
    const app = await startStandalone({ ports: { bus } });
    expect(app.app.get(MESSAGE_BUS)).toBe(bus);
    await app.close();
    expect(await bus.health()).toMatchObject({ ok: true });
    await expect(bus.publish('given', [message])).resolves.toBeUndefined();
    await bus.close();
  });

  it('closes the bus it made itself', async () => {
    const app = await startStandalone();
    const own = app.app.get<MessageBus>(MESSAGE_BUS);
    await own.createTopics([{ topic: 'own', partitions: 1 }]);
    await app.close();
    expect(await own.health()).toMatchObject({ ok: false });
    await expect(own.publish('own', [message])).rejects.toBeInstanceOf(BusClosedError);
  });
});

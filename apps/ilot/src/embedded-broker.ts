import { createServer, Server } from 'node:net';
import { importEsm } from './esm-import';
import { assertPortFree } from './port-check';

export interface EmbeddedBroker {
  url: string;
  close(): Promise<void>;
}

/** An in-process MQTT 3.1.1 broker (aedes) for `npm start` without ILOT_MQTT_URL. */
export async function startEmbeddedBroker(port: number): Promise<EmbeddedBroker> {
  await assertPortFree(port, 'ILOT_EMBEDDED_MQTT_PORT', 'embedded MQTT broker');
  const { Aedes } = (await importEsm('aedes')) as {
    Aedes: { createBroker(): Promise<{ handle: (socket: unknown) => void; close(cb: () => void): void }> };
  };
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle as never);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => undefined);
        broker.close(() => resolve());
      }),
  };
}

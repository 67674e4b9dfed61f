import { join } from 'node:path';
import { edgeConfigSchema, loadEdgeConfig } from './edge.config';

describe('the edge gateway config', () => {
  it('reads the example, with the defaults said in docs/edge.md', () => {
    const config = loadEdgeConfig(join(__dirname, '..', '..', '..', 'deploy', 'edge', 'edge.example.yaml'));
    expect(config.devices.map((d) => d.id)).toEqual(['bat-1', 'pv-office', 'ev-office-1', 'grid']);
    expect(config.devices[1]).toMatchObject({ port: 502, unitId: 126, pollS: 5, timeoutMs: 2000, commands: true });
    expect(config.devices[2]).toMatchObject({ phases: 3, limitUnit: 'A', voltageV: 230, connectorId: 1 });
    expect(config.ocpp).toEqual({
      port: 9220,
      host: '0.0.0.0',
      tls: { certFile: '/etc/ilot/edge.crt', keyFile: '/etc/ilot/edge.key' },
    });
  });

  it.each([
    ['no devices', { devices: [] }, 'devices: an edge gateway needs at least one device'],
    [
      'two devices with one id',
      {
        devices: [
          { id: 'a', protocol: 'sunspec', host: 'h' },
          { id: 'a', protocol: 'sunspec', host: 'h' },
        ],
      },
      'devices: two devices with the same id',
    ],
    [
      'a unit id out of Modbus',
      { devices: [{ id: 'a', protocol: 'sunspec', host: 'h', unitId: 300 }] },
      'devices.0.unitId',
    ],
    ['an unknown protocol', { devices: [{ id: 'a', protocol: 'bacnet', host: 'h' }] }, 'devices.0.protocol'],
    ['a broker URL without a scheme', { mqtt: { url: 'broker:1883' } }, 'mqtt.url'],
    [
      'a charger without its password',
      { devices: [{ id: 'ev-1', protocol: 'ocpp', chargePointId: 'CP-1', maxW: 7400 }] },
      'devices.0.password: give its password or its passwordFile',
    ],
  ])('refuses %s with the field named', (_name, patch, field) => {
    const parsed = edgeConfigSchema.safeParse({
      site: 'demo',
      mqtt: { url: 'mqtt://127.0.0.1:1883' },
      devices: [{ id: 'bat-1', protocol: 'sunspec', host: '127.0.0.1' }],
      ...patch,
    });
    expect(parsed.success).toBe(false);
    const said = parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    expect(said).toContain(field);
  });
});

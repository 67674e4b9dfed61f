import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const identifier = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, - and _ (as in the site file)');

/** A SunSpec device on Modbus TCP (`host`, `port`) or Modbus RTU on a serial port (`serialPath`, RS-485). */
export const sunSpecDeviceSchema = z.strictObject({
  /** The device's id in the site file (its MQTT identity is `{site}/{id}`). */
  id: identifier,
  protocol: z.literal('sunspec'),
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).default(502),
  /** Modbus RTU: the serial device (e.g. /dev/ttyUSB0, an RS-485 adapter), its speed and parity as set on the device. */
  serialPath: z.string().min(1).optional(),
  baudRate: z.number().int().min(1200).max(115_200).default(9600),
  parity: z.enum(['none', 'even', 'odd']).default('none'),
  unitId: z.number().int().min(0).max(247).default(1),
  /** Seconds between two polls (and telemetry). */
  pollS: z.number().min(0.1).max(3600).default(5),
  timeoutMs: z.number().int().min(50).max(60_000).default(2000),
  /** Whether the gateway applies the îlot's commands to it (a battery, an inverter to curtail). */
  commands: z.boolean().default(true),
  /**
   * A battery: the id of the building's grid meter on this gateway (a `tic` device). The battery then tracks the plan's
   * grid power and the contract (`gridTargetW`, `gridLimitW`) at every poll, as docs/controller-guide.md asks of a
   * controller that measures the connection; without it, it holds its setpoint.
   */
  gridMeter: identifier.optional(),
});

export type SunSpecDeviceConfig = z.infer<typeof sunSpecDeviceSchema>;

/** A Linky's TIC on a serial port (a TIC USB dongle) or through a TCP serial bridge (ser2net): readings only. */
export const ticDeviceSchema = z.strictObject({
  id: identifier,
  protocol: z.literal('tic'),
  /** The serial device (e.g. /dev/ttyUSB0), or `host` and `port` of a TCP serial bridge. */
  serialPath: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  /** historic (1200 baud, older meters and Linky by default) or standard (9600 baud). */
  mode: z.enum(['historic', 'standard']).default('historic'),
  /** Seconds between two readings sent (a Linky sends a frame every 1-2 s). */
  minIntervalS: z.number().min(0).max(3600).default(10),
  /** Without a good frame for this long, the meter is reported offline, seconds. */
  silenceS: z.number().min(1).max(3600).default(10),
});

export type TicDeviceConfig = z.infer<typeof ticDeviceSchema>;

/** A charge point that connects to the gateway's OCPP endpoint (1.6J or 2.0.1) as `ws://gateway:port/{chargePointId}`. */
export const ocppDeviceSchema = z
  .strictObject({
    id: identifier,
    protocol: z.literal('ocpp'),
    chargePointId: z.string().regex(/^[A-Za-z0-9*\-_=:+|@.]{1,48}$/, 'an OCPP identity: 1-48 characters of its set'),
    /** Its HTTP Basic password (security profile 1): given, or read from a file (the better). */
    password: z.string().min(16).max(40).optional(),
    passwordFile: z.string().optional(),
    connectorId: z.number().int().min(1).default(1),
    phases: z.union([z.literal(1), z.literal(3)]).default(1),
    /**
     * The unit of its charging profiles: W, or A per phase (most AC chargers take only amps): the limit is then
     * maxW / (phases x voltageV), rounded down to 0.1 A, with `numberPhases`.
     */
    limitUnit: z.enum(['W', 'A']).default('W'),
    /** The phase-to-neutral voltage an amp limit is computed with, V. */
    voltageV: z.number().min(100).max(400).default(230),
    /** The most it charges at, W (the session's maxW when the car says nothing). */
    maxW: z.number().positive(),
    /** The session when the car does not describe it (no NotifyEVChargingNeeds). */
    sessionDefaults: z
      .strictObject({ energyNeededWh: z.number().min(0).max(200_000), stayH: z.number().min(0.25).max(72) })
      .default({ energyNeededWh: 15_000, stayH: 8 }),
  })
  .refine(
    (d) => (d.password === undefined) !== (d.passwordFile === undefined),
    'give its password or its passwordFile',
  );

export type OcppDeviceConfig = z.infer<typeof ocppDeviceSchema>;

export const edgeConfigSchema = z.strictObject({
  site: identifier,
  mqtt: z.strictObject({
    url: z.string().regex(/^(mqtts?|wss?):\/\//, 'an mqtt://, mqtts://, ws:// or wss:// URL'),
    protocolVersion: z.union([z.literal(4), z.literal(5)]).default(5),
    /** The folder `ilot devices provision` wrote the devices' passwords to (`{site}/{device}.password`). */
    credentialsDir: z.string().optional(),
    caFile: z.string().optional(),
  }),
  /** The gateway's OCPP endpoint for its chargers (when it has any). */
  ocpp: z
    .strictObject({
      port: z.number().int().min(1).max(65535).default(9220),
      host: z.string().default('0.0.0.0'),
      /**
       * OCPP security profile 2: the endpoint is wss:// with this certificate and key (PEM files), the chargers still
       * logging in with their password. Without it, profile 1 (ws://, for a closed building network only).
       */
      tls: z.strictObject({ certFile: z.string(), keyFile: z.string() }).optional(),
    })
    .optional(),
  devices: z
    .array(z.discriminatedUnion('protocol', [sunSpecDeviceSchema, ticDeviceSchema, ocppDeviceSchema]))
    .min(1, 'an edge gateway needs at least one device')
    .refine((devices) => new Set(devices.map((d) => d.id)).size === devices.length, 'two devices with the same id')
    .superRefine((devices, context) =>
      devices.forEach((d, i) => {
        if (d.protocol === 'ocpp' && (d.password === undefined) === (d.passwordFile === undefined))
          context.addIssue({ code: 'custom', path: [i, 'password'], message: 'give its password or its passwordFile' });
        if (d.protocol === 'sunspec' && d.gridMeter !== undefined)
          if (!devices.some((m) => m.id === d.gridMeter && m.protocol === 'tic'))
            context.addIssue({
              code: 'custom',
              path: [i, 'gridMeter'],
              message: `"${d.gridMeter}" is not a tic meter of this gateway`,
            });
        if (d.protocol === 'sunspec' && (d.serialPath === undefined) === (d.host === undefined))
          context.addIssue({
            code: 'custom',
            path: [i, 'host'],
            message: 'give its host (Modbus TCP) or its serialPath (RTU)',
          });
        if (d.protocol === 'tic' && (d.serialPath === undefined) === (d.host === undefined || d.port === undefined))
          context.addIssue({
            code: 'custom',
            path: [i, 'serialPath'],
            message: 'give its serialPath, or host and port',
          });
      }),
    ),
});

export type EdgeConfig = z.infer<typeof edgeConfigSchema>;

/** The gateway's config file, validated: a precise reason per bad field, at start. */
export function loadEdgeConfig(path: string): EdgeConfig {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = edgeConfigSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

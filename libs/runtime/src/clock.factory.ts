import { Clock, ScaledClock, SystemClock } from '@ilot/domain';
import type { RuntimeConfig } from './config';

export function clockFromConfig(
  config: Pick<RuntimeConfig, 'ILOT_SPEEDUP' | 'ILOT_SIM_START' | 'ILOT_SIM_START_REAL'>,
): Clock {
  if (!config.ILOT_SIM_START || !config.ILOT_SIM_START_REAL) return new SystemClock();
  return new ScaledClock(
    Date.parse(config.ILOT_SIM_START_REAL),
    Date.parse(config.ILOT_SIM_START),
    config.ILOT_SPEEDUP,
  );
}

import { CommandEntity } from './command.entity';
import { DeviceStatusEntity } from './device-status.entity';
import { PlanEntity } from './plan.entity';
import { RejectedMessageEntity } from './rejected-message.entity';

export { CommandEntity, DeviceStatusEntity, PlanEntity, RejectedMessageEntity };
/** Readings have no entity: they are written and read in bulk by ReadingRepository's SQL. */
export const ENTITIES = [CommandEntity, DeviceStatusEntity, PlanEntity, RejectedMessageEntity];

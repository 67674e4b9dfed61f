import { InitialSchema1700000000001 } from './1700000000001-initial-schema';
import { ReadingsAggregates1700000000002 } from './1700000000002-readings-aggregates';

/** Numbered migrations, in order. Apps apply the pending ones at start-up. */
export const MIGRATIONS = [InitialSchema1700000000001, ReadingsAggregates1700000000002];

export const OPTIMISER_CONFIG = Symbol('OPTIMISER_CONFIG');
export const OPTIMISER_MQTT = Symbol('OPTIMISER_MQTT');
export const LP_SOLVER = Symbol('LP_SOLVER');
export const DISPATCHER_FOR = Symbol('DISPATCHER_FOR');

/** Injection tokens of the runtime module. */
export const RUNTIME_CONFIG = Symbol('RUNTIME_CONFIG');
export const CLOCK = Symbol('CLOCK');
export const SITE = Symbol('SITE');
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

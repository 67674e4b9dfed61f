export * from './site.schema';
export * from './site';
export * from './load-site';
export * from './power-bounds';
export * from './liveness';
export * from './price-series';
export * from './sites-dir';
export * from './site-document';

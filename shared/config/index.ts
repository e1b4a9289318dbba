/** Settings and targets: zod schemas, loading from app settings, secrets, and errors that name the fix. */
export * from './app-insights';
export * from './duration';
export * from './errors';
export * from './load';
export * from './load';
export * from './schedule';
export * from './settings';
export * from './target';

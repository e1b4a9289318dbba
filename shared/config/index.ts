/** Settings and targets: zod schemas, loading from app settings, secrets, and errors that name the fix. */
export * from './app-insights';
export * from './duration';
export * from './files';
export * from './schedule';
export * from './timer';
export * from './errors';
export * from './load';
export * from './otlp';
export * from './settings';
export * from './target';
export * from './target-checks';
export * from './target-problems';

export * from './duration';
export * from './errors';
export * from './load';
export * from './settings';
export * from './target';

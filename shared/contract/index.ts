/** The result contract and its vocabulary, zod only: every layer above infers its types from here. */
export * from './classification';
export * from './enums';
export * from './idle';
export * from './probes';
export * from './result';
export * from './checks';

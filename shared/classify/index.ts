export { classify, parseClientIp, type FailureInput, type ServerError } from './classify';
export { redact } from './redact';
export * from './schema';

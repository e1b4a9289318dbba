/** The failure taxonomy (a table of classes, recommendations and links) and the function that applies it. */
export { classify, parseClientIp, type FailureInput, type ServerError } from './classify';
export { redact } from './redact';

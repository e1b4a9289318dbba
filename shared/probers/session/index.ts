/** The tedious session opener shared by the login, idle and pool probers. */
export { openSession, closeConnection, type OpenResult, type Session, type SessionInfo, type SessionOverrides } from './open';
export { runBatch, type Row } from './batch';
export { withFacts, parseFacts, type ServerFacts } from './facts';
export { credentialFor, authenticationFor } from './auth';

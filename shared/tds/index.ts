/** TDS wire codec shared by the simulator and the credential-less TLS prober. */
export * from './bytes';
export * from './columns';
export * from './login7';
export * from './message-socket';
export * from './packet';
export * from './prelogin';
export * from './requests';
export * from './tls-in-prelogin';
export * from './tokens';
export * from './ssrp';
export * from './ntlm';

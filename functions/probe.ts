import { app } from '@azure/functions';
import { lazyHandler } from './handlers/lazy';

app.http('probe', { methods: ['POST'], authLevel: 'function', route: 'probe', handler: lazyHandler(async () => (await import('./handlers/probe')).probeHandler) });

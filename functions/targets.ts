import { app } from '@azure/functions';
import { lazyHandler } from './handlers/lazy';

app.http('targets', { methods: ['GET'], authLevel: 'function', route: 'targets', handler: lazyHandler(async () => (await import('./handlers/targets')).targetsHandler) });

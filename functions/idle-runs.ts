import { app } from '@azure/functions';
import { lazyHandler } from './handlers/lazy';

app.http('idle-runs-start', { methods: ['POST'], authLevel: 'function', route: 'idle-runs', handler: lazyHandler(async () => (await import('./handlers/idle-runs')).startIdleRunHandler) });
app.http('idle-runs-status', { methods: ['GET'], authLevel: 'function', route: 'idle-runs/{id}', handler: lazyHandler(async () => (await import('./handlers/idle-runs')).getIdleRunHandler) });
app.http('idle-runs-cancel', { methods: ['DELETE'], authLevel: 'function', route: 'idle-runs/{id}', handler: lazyHandler(async () => (await import('./handlers/idle-runs')).cancelIdleRunHandler) });

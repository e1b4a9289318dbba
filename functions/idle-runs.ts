import { app } from '@azure/functions';
import { processRuntime } from '../shared/app';
import { cancelIdleRunHandler, getIdleRunHandler, startIdleRunHandler } from './handlers/idle-runs';

app.http('idle-runs-start', { methods: ['POST'], authLevel: 'function', route: 'idle-runs', handler: startIdleRunHandler(processRuntime) });
app.http('idle-runs-status', { methods: ['GET'], authLevel: 'function', route: 'idle-runs/{id}', handler: getIdleRunHandler(processRuntime) });
app.http('idle-runs-cancel', { methods: ['DELETE'], authLevel: 'function', route: 'idle-runs/{id}', handler: cancelIdleRunHandler(processRuntime) });

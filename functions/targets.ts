import { app } from '@azure/functions';
import { processRuntime } from '../shared/app';
import { targetsHandler } from './handlers/targets';

app.http('targets', { methods: ['GET'], authLevel: 'function', route: 'targets', handler: targetsHandler(processRuntime) });

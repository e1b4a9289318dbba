import { app } from '@azure/functions';
import { processRuntime } from '../shared/app';
import { probeHandler } from './handlers/probe';

app.http('probe', { methods: ['POST'], authLevel: 'function', route: 'probe', handler: probeHandler(processRuntime) });

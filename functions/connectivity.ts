import { app } from '@azure/functions';
import { processRuntime } from '../shared/app';
import { connectivityTimer, scheduleSetting } from './handlers/timers';

app.timer('connectivity', { schedule: scheduleSetting('SQLPROBE_CONNECTIVITY_SCHEDULE'), handler: connectivityTimer(processRuntime) });

import { app } from '@azure/functions';
import { processRuntime } from '../shared/app';
import { idleTickTimer, scheduleSetting } from './handlers/timers';

app.timer('idle-tick', { schedule: scheduleSetting('SQLPROBE_IDLE_SCHEDULE'), handler: idleTickTimer(processRuntime) });

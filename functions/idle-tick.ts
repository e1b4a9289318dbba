import { app } from '@azure/functions';
import { scheduleSetting } from '../shared/config/schedule';
import { lazyHandler } from './handlers/lazy';

app.timer('idle-tick', { schedule: scheduleSetting('SQLPROBE_IDLE_SCHEDULE', process.env), handler: lazyHandler(async () => (await import('./handlers/timers')).idleTickTimer) });

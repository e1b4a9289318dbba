import { app } from '@azure/functions';
import { scheduleSetting } from '../shared/config/schedule';
import { lazyHandler } from './handlers/lazy';

app.timer('connectivity', { schedule: scheduleSetting('SQLPROBE_CONNECTIVITY_SCHEDULE', process.env), handler: lazyHandler(async () => (await import('./handlers/timers')).connectivityTimer) });

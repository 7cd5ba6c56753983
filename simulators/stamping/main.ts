import { loggerFromEnv, runSimulator } from '../shared/main-helper.js';
import { buildStampingSimulator } from './app.js';

await runSimulator('stamping', 'STAMPING_SIM_PORT', 4030, () => buildStampingSimulator({ logger: loggerFromEnv() }));

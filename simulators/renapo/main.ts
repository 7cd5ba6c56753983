import { loggerFromEnv, runSimulator } from '../shared/main-helper.js';
import { buildRenapoSimulator } from './app.js';

await runSimulator('renapo', 'RENAPO_SIM_PORT', 4010, () => buildRenapoSimulator({ logger: loggerFromEnv() }));

import { loggerFromEnv, runSimulator } from '../shared/main-helper.js';
import { buildBankSimulator } from './app.js';

await runSimulator('bank', 'BANK_SIM_PORT', 4020, () => buildBankSimulator({ logger: loggerFromEnv() }));

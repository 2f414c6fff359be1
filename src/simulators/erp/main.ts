import { runSimulatorMain } from '../core/run-main';
import { startErpSimulator } from './server';

// Configuration: SIM_PORT, SIM_DATA_DIR, SIM_API_KEYS, SIM_CONTROL_KEY, SIM_WEBHOOK_URL,
// SIM_WEBHOOK_SECRET, SIM_WEBHOOK_EVENTS, SIM_RATE_LIMIT_PER_SECOND, SIM_RATE_LIMIT_BURST
// (see core/options.ts).
void runSimulatorMain('ERP', startErpSimulator);

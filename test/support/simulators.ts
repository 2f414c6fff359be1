import { ApplicationFailure } from '@temporalio/common';
import type { SimulatorOptions } from '../../src/simulators/core/options';
import type { RunningSimulator } from '../../src/simulators/core/server';
import { API_KEY, CONTROL_KEY, tempDataDir } from '../../src/simulators/core/test-support';

/**
 * Helpers for the tests of the SaaS-style adapters (ERP, WMS); imported only by *.test.ts files.
 * Each adapter test runs against its own simulator, so the setup is the same everywhere.
 */

/** The rejection of `p`, failing the test if it resolves. */
export async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  if (!(err instanceof ApplicationFailure)) throw err;
  return err;
}

/**
 * Registers beforeEach/afterEach that give every test a fresh simulator on its own data dir
 * (so no state leaks between tests) and hand it to `onStarted`, where the test builds its
 * client. `extraOptions` is read after earlier beforeEach hooks ran, e.g. for a webhook URL.
 */
export function simulatorPerTest(
  start: (opts: SimulatorOptions) => Promise<RunningSimulator>,
  onStarted: (sim: RunningSimulator) => void,
  extraOptions: () => Partial<SimulatorOptions> = () => ({}),
): void {
  let data: ReturnType<typeof tempDataDir>;
  let sim: RunningSimulator;

  beforeEach(async () => {
    data = tempDataDir();
    sim = await start({ port: 0, dataDir: data.dir, apiKeys: [API_KEY], controlKey: CONTROL_KEY, ...extraOptions() });
    onStarted(sim);
  });

  afterEach(async () => {
    await sim.close();
    data.remove();
  });
}

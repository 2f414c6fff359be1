import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where each local service listens and keeps its data: `dev` for a developer's stack (kept across
 * restarts), `test` for the test suite and `bench` for benchmarks, each on its own ports.
 */
export interface StackProfile {
  readonly name: ProfileName;
  readonly repoRoot: string;
  readonly dataDir: string;
  readonly logDir: string;
  readonly ports: {
    readonly temporal: number;
    readonly temporalUi: number;
    readonly medusa: number;
    readonly strapi: number;
    readonly erp: number;
    readonly wms: number;
    readonly bridge: number;
    readonly codec: number;
    readonly tryton: number;
  };
  /** PostgreSQL database that holds this profile's Medusa. */
  readonly medusaDatabase: string;
  /** PostgreSQL databases of this profile's Tryton: the ERP (sales) and the WMS (stock only). */
  readonly trytonErpDatabase: string;
  readonly trytonWmsDatabase: string;
}

/** The checkout's root, found from this file whether it runs from src/ (jest) or dist/src/ (node). */
export const repoRoot = findRepoRoot(__dirname);

function findRepoRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'temporal-dev.yml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no temporal-dev.yml above ${from}: is this a checkout of the hub?`);
    dir = parent;
  }
  return dir;
}

export type ProfileName = 'dev' | 'test' | 'bench' | (string & {});

/** Port offsets keep the profiles apart, so tests and benchmarks run beside a developer's stack. */
const PORT_OFFSET: Record<string, number> = { dev: 0, test: 10_000, bench: 20_000 };

/**
 * Another profile (say, a second test run on the same machine) needs HUB_PORT_OFFSET, a multiple
 * of 1000 that keeps its ports apart from the others. At most 23000: every port then stays below
 * 32768, where Linux starts handing out ephemeral ports for outgoing connections, one of which
 * could otherwise hold a service's port when it starts.
 */
export function stackProfile(name: ProfileName, env: NodeJS.ProcessEnv = process.env): StackProfile {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`profile name "${name}" must be lower-case letters, digits and dashes`);
  const dataDir = join(repoRoot, '.data', name);
  const base = PORT_OFFSET[name] ?? Number(env.HUB_PORT_OFFSET);
  if (!Number.isInteger(base) || base < 0 || base > 23_000 || base % 1000 !== 0) {
    throw new Error(`profile "${name}" needs HUB_PORT_OFFSET, a multiple of 1000 up to 23000 (got "${env.HUB_PORT_OFFSET ?? ''}")`);
  }
  return {
    name,
    repoRoot,
    dataDir,
    logDir: join(dataDir, 'logs'),
    ports: {
      temporal: 7233 + base,
      temporalUi: 8233 + base,
      medusa: 9000 + base,
      strapi: 1337 + base,
      erp: 4010 + base,
      wms: 4020 + base,
      bridge: 3000 + base,
      codec: 8888 + base,
      // Not Tryton's own 8000, where a developer's Tryton may already listen.
      tryton: 8100 + base,
    },
    medusaDatabase: databaseName('medusa', name, dataDir),
    trytonErpDatabase: databaseName('tryton_erp', name, dataDir),
    trytonWmsDatabase: databaseName('tryton_wms', name, dataDir),
  };
}

/**
 * A database belongs to this checkout's data dir, which holds the passwords that go with it: a
 * second clone on the same PostgreSQL must not inherit a database it cannot log in to. Dashes,
 * which profile names allow, would need quoting in SQL.
 */
export function databaseName(service: string, profileName: string, dataDir: string): string {
  return `hub_${service}_${profileName.replace(/-/g, '_')}_${createHash('sha256').update(dataDir).digest('hex').slice(0, 8)}`;
}

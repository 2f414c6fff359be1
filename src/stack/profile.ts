import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where each local service listens and keeps its data. Two profiles exist so the test suite can
 * run while a developer's stack is up: `dev` keeps its data across restarts, `test` uses its own
 * ports and data directory.
 */
export interface StackProfile {
  readonly name: 'dev' | 'test';
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
  };
  /** PostgreSQL database that holds this profile's Medusa. */
  readonly medusaDatabase: string;
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

export function stackProfile(name: 'dev' | 'test'): StackProfile {
  const dataDir = join(repoRoot, '.data', name);
  const base = name === 'dev' ? 0 : 10_000;
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
    },
    medusaDatabase: `hub_medusa_${name}`,
  };
}

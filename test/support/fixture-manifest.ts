import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../src/stack/profile';
import * as workflows from '../../src/workflows';

/**
 * test/histories/manifest.json: for each replay fixture, the commit whose workflow code recorded
 * it (so which patches it predates), its workflow type and what the run did.
 */
export interface FixtureEntry {
  workflowType: string;
  /** The commit the run's workflow code came from. */
  commit: string;
  scenario: string;
  /** The saved history it was picked from, or how it was made. */
  from: string;
}

export const MANIFEST_FILE = join(repoRoot, 'test', 'histories', 'manifest.json');

export function readManifest(): Record<string, FixtureEntry> {
  return JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as Record<string, FixtureEntry>;
}

export function writeManifest(manifest: Record<string, FixtureEntry>): void {
  const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(MANIFEST_FILE, `${JSON.stringify(sorted, null, 2)}\n`);
}

/** The workflow types the worker runs: what src/workflows/index.ts exports (the worker bundles that file). */
export const workflowTypes = (): string[] =>
  Object.entries(workflows)
    .filter(([name, value]) => name !== 'default' && typeof value === 'function')
    .map(([name]) => name);

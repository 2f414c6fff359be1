/**
 * Picks replay fixtures from the histories scripts/record-histories.sh saved: per workflow type
 * the worker runs, one run of each kind (how it ended, what it was given or returned, which
 * signals it took), saved as test/histories/<type>-<kind>-<commit>.json and listed in
 * test/histories/manifest.json with the commit whose code made it.
 *
 *   node --import tsx scripts/pick-histories.ts <dir of saved histories> <commit>
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { z } from 'zod';
import { repoRoot } from '../src/stack/profile';
import { historyFacts, type HistoryFacts } from '../test/support/history-facts';
import { readManifest, workflowTypes, writeManifest } from '../test/support/fixture-manifest';

const [dir, commit] = z.tuple([z.string().min(1), z.string().regex(/^[0-9a-f]{7,40}$/)]).parse(process.argv.slice(2));
/** Enough kinds per type to cover its paths, few enough to keep the fixtures reviewable. */
const MAX_PER_TYPE = 10;

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c, i: number) => `${i > 0 ? '-' : ''}${c.toLowerCase()}`);
const field = (v: unknown, k: string): unknown => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined);
const word = (v: unknown): string => String(v ?? '').replace(/[^a-z0-9]+/gi, '-').toLowerCase();

/** A short name for what the run did; runs with the same name are taken to cover the same path. */
function kindOf(f: HistoryFacts): string {
  const parts: string[] = [];
  const outcome = field(f.result, 'outcome') ?? field(f.result, 'ended');
  if (f.workflowType === 'productEntity') {
    const sources = new Set(f.signals.map((s) => [field(s.arg, 'source'), field(s.arg, 'kind')].filter(Boolean).join('-')));
    parts.push(...[...sources].sort());
    if (field(f.input, 'state')) parts.push('continued');
  } else if (f.workflowType === 'backfillProducts') {
    parts.push(`from-${word(field(f.input, 'from'))}`);
    if (field(f.input, 'checkpoint')) parts.push('continued');
  } else if (f.workflowType === 'reconcileCatalogue') {
    parts.push(field(f.input, 'repair') ? 'repair' : 'report');
  } else {
    parts.push(...new Set(f.signals.map((s) => kebab(s.name))));
  }
  if (field(f.result, 'escalated') === true) parts.push('escalated');
  if (Array.isArray(field(f.result, 'skus')) && (field(f.result, 'skus') as unknown[]).length > 1) parts.push('variants');
  if (f.failure) {
    // "WMS SKU MUG-1A2B failed: …" → rolled-back-wms-sku: the type and the step, without the run's ids.
    const step = f.failure.message.split(' failed')[0]!.split(/\s+/).filter((t) => !/\d/.test(t));
    parts.push(kebab(f.failure.type || 'failed'), word(step.join(' ')));
  } else parts.push(outcome !== undefined ? word(outcome) : f.end);
  return parts.filter(Boolean).join('-').replace(/-+/g, '-').replace(/^-|-$/g, '');
}

/** An open run whose last workflow task is still in flight would end mid-task; the others replay whole. */
function settled(history: { events: Array<{ eventType: string }> }): boolean {
  const types = history.events.map((e) => e.eventType);
  return types.lastIndexOf('EVENT_TYPE_WORKFLOW_TASK_COMPLETED') > types.lastIndexOf('EVENT_TYPE_WORKFLOW_TASK_SCHEDULED');
}

function main(): void {
  const known = new Set(workflowTypes());
  const manifest = readManifest();
  const taken = new Map<string, Set<string>>();
  const picked: string[] = [];
  // Closed runs first, so a kind is taken from a run that finished when one did.
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  const loaded = files.map((f) => {
    const json = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { events: Array<{ eventType: string }> };
    return { f, json, facts: historyFacts(json) };
  });
  loaded.sort((a, b) => Number(a.facts.end === 'open') - Number(b.facts.end === 'open') || a.f.localeCompare(b.f));
  for (const { f, json, facts } of loaded) {
    if (!known.has(facts.workflowType) || (facts.end === 'open' && !settled(json)) || facts.end === 'terminated') continue;
    const kinds = taken.get(facts.workflowType) ?? new Set<string>();
    const kind = kindOf(facts);
    if (kinds.has(kind) || kinds.size >= MAX_PER_TYPE) continue;
    kinds.add(kind);
    taken.set(facts.workflowType, kinds);
    historyFromJSON(json); // refuse to save what the replay test could not load
    const name = `${kebab(facts.workflowType)}-${kind}-${commit.slice(0, 7)}.json`;
    writeFileSync(join(repoRoot, 'test', 'histories', name), `${JSON.stringify(json, null, 1)}\n`);
    manifest[name] = { workflowType: facts.workflowType, commit: commit.slice(0, 7), scenario: kind, from: f };
    picked.push(name);
  }
  writeManifest(manifest);
  console.log(`picked ${picked.length} fixture(s) from ${files.length} histories:\n  ${picked.join('\n  ')}`);
  const missing = [...known].filter((t) => !taken.has(t));
  if (missing.length > 0) console.log(`no run of ${missing.join(', ')} among them`);
}

main();

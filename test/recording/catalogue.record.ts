import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { requireEnv } from '../support/env';
import { simulatorRecordsBySku, simulatorWrite, uniq } from '../support/systems';

/**
 * Recording scenarios (scripts/record-histories.sh), not part of the suite: the catalogue flows
 * on a handful of products, through the `hub` CLI as an operator runs them (the CLI suite does the
 * same on 2 000, too many to record). Batches of one, so each backfill continues as new once.
 */
const ROOT = join(__dirname, '..', '..');
const PREFIX = `REC-${uniq()}-`;
/** One more page than a backfill run takes before it continues as new (PAGES_PER_RUN). */
const COUNT = 11;

function hub(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env: process.env });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

test('ERP → Medusa import, Medusa → ERP, WMS, CMS backfill, and reconcile --repair of a drifted name', async () => {
  const e = requireEnv('ERP_BASE_URL', 'ERP_API_KEY');
  // The Medusa backfill pages through the whole catalogue (SKU prefixes filter within a page): only
  // the products this test imports, so a catalogue left by earlier suites cannot make it long.
  const since = new Date(Date.now() - 1_000).toISOString();
  for (let i = 0; i < COUNT; i++) {
    const res = await fetch(`${e.ERP_BASE_URL}/v1/items`, {
      method: 'POST',
      headers: { authorization: `Bearer ${e.ERP_API_KEY}`, 'content-type': 'application/json', 'idempotency-key': `rec-${PREFIX}${i}` },
      body: JSON.stringify({ sku: `${PREFIX}${i}`, name: `Recorded ${PREFIX}${i}`, price: { amount: 1000 + i, currency_code: 'eur' } }),
    });
    expect(res.status).toBe(201);
  }
  const imported = await hub('backfill', 'products', '--from', 'erp', '--to', 'medusa', '--sku-prefix', PREFIX, '--batch-size', '1');
  expect(imported).toMatchObject({ code: 0 });
  const backfilled = await hub('backfill', 'products', '--from', 'medusa', '--to', 'erp,wms,cms', '--since', since, '--sku-prefix', PREFIX, '--batch-size', '1');
  expect(backfilled).toMatchObject({ code: 0 });

  const [item] = await simulatorRecordsBySku('ERP', `${PREFIX}0`);
  await simulatorWrite('ERP', 'PATCH', `/v1/items/${item!.id}`, { name: 'Drifted' });
  const reconciled = await hub('reconcile', '--systems', 'erp,wms,cms', '--repair', '--sku-prefix', PREFIX, '--json');
  expect(reconciled).toMatchObject({ code: 0 });
  expect(reconciled.out).toContain('"mismatch"');
}, 600_000);

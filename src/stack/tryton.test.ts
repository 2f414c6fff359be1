import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testProfile } from '../../test/support/env';
import { databaseName, type StackProfile } from './profile';
import { startTryton, trytonLogin, type StartTrytonOptions, type TrytonService } from './tryton';

const run = promisify(execFile);

/**
 * A Tryton of this file's own, beside the one the global setup started: the next port, a data dir
 * and databases of its own, so its restarts and fresh clones never touch the suite's.
 */
const profile: StackProfile = (() => {
  const test = testProfile();
  const dataDir = join(test.dataDir, 'tryton-test');
  return {
    ...test,
    dataDir,
    logDir: join(dataDir, 'logs'),
    ports: { ...test.ports, tryton: test.ports.tryton + 1 },
    trytonErpDatabase: databaseName('tryton_erp', `${test.name}_t`, dataDir),
    trytonWmsDatabase: databaseName('tryton_wms', `${test.name}_t`, dataDir),
  };
})();
const HUB_PASSWORD = 'tryton-test-hub-password';
const ADMIN_PASSWORD = 'tryton-test-admin-password';

let tryton: TrytonService | undefined;

/** Starts this file's Tryton, never the one the environment names (startTryton would reuse that). */
async function restart(opts: Partial<StartTrytonOptions> = {}): Promise<TrytonService> {
  await tryton?.stop();
  tryton = undefined;
  const { TRYTON_URL } = process.env;
  delete process.env.TRYTON_URL;
  try {
    tryton = await startTryton(profile, { hubPassword: HUB_PASSWORD, adminPassword: ADMIN_PASSWORD, ...opts });
  } finally {
    if (TRYTON_URL !== undefined) process.env.TRYTON_URL = TRYTON_URL;
  }
  return tryton;
}

type Rpc = (method: string, ...args: unknown[]) => Promise<unknown>;

/** A JSON-RPC session as the hub user; every call gets the user's context, as Tryton requires. */
async function session(service: TrytonService, database: string, login = 'hub', password = HUB_PASSWORD): Promise<Rpc> {
  const url = `${service.env.TRYTON_URL}/${database}/rpc/`;
  const post = async (method: string, params: unknown[], auth?: string): Promise<unknown> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: JSON.stringify({ id: 1, method, params }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result?: unknown; error?: unknown };
    if (body.error !== undefined) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
    return body.result;
  };
  const [uid, key] = (await post('common.db.login', [login, { password }, 'en'])) as [number, string];
  const auth = `Session ${Buffer.from(`${login}:${uid}:${key}`).toString('base64')}`;
  const context = await post('model.res.user.get_preferences', [true, {}], auth);
  return (method, ...args) => post(method, [...args, context], auth);
}

async function pgDatabase(name: string): Promise<{ exists: boolean; isTemplate: boolean }> {
  const { stdout } = await run('runuser', ['-u', 'postgres', '--', 'psql', '-tAq', '-d', 'postgres', '-c', `SELECT datistemplate FROM pg_database WHERE datname = '${name}'`], { cwd: '/' });
  return { exists: stdout.trim() !== '', isTemplate: stdout.trim() === 't' };
}

async function createProduct(rpc: Rpc, sku: string): Promise<void> {
  const [unit] = (await rpc('model.product.uom.search', [['symbol', '=', 'u']], 0, 1, null)) as number[];
  await rpc('model.product.template.create', [
    { name: `Test ${sku}`, type: 'goods', default_uom: unit, sale_uom: unit, list_price: { __class__: 'Decimal', decimal: '9.90' }, salable: true, products: [['create', [{ suffix_code: sku }]]] },
  ]);
}

const productsWithCode = async (rpc: Rpc, sku: string): Promise<unknown[]> => (await rpc('model.product.product.search', [['code', '=', sku]], 0, null, null)) as unknown[];

afterAll(async () => {
  await tryton?.stop();
});

describe("the stack's Tryton", () => {
  test('the hub user, a user of its own, logs in to the ERP with its web shop and customer, and to the WMS with warehouse WH', async () => {
    const service = await restart();
    const { erp, wms } = service.databases!;
    expect(service.env).toEqual(
      expect.objectContaining({ TRYTON_ERP_DATABASE: erp.name, TRYTON_WMS_DATABASE: wms.name, TRYTON_USER: 'hub', TRYTON_PASSWORD: HUB_PASSWORD, TRYTON_WEB_SHOP: 'Medusa', TRYTON_WAREHOUSE: 'WH' }),
    );
    expect(erp.hubUserId).not.toBe(erp.adminUserId);
    expect(await trytonLogin(service.env.TRYTON_URL!, wms.name, 'admin', ADMIN_PASSWORD)).toBe(wms.adminUserId);

    const shopRpc = await session(service, erp.name);
    const [warehouse] = (await shopRpc('model.stock.location.search', [['code', '=', 'WH'], ['type', '=', 'warehouse']], 0, null, null)) as number[];
    const shops = (await shopRpc('model.web.shop.search_read', [['name', '=', 'Medusa']], 0, null, null, ['warehouses', 'guest_party', 'currency.code', 'company.rec_name'])) as Record<string, unknown>[];
    // Tryton answers a dotted field as an object under "<field>.".
    expect(shops).toEqual([
      expect.objectContaining({
        warehouses: [warehouse],
        // No guest party: Tryton refuses to quote a sale to a shop's guest, and orders go to the customer below.
        guest_party: null,
        'currency.': expect.objectContaining({ code: 'EUR' }),
        'company.': expect.objectContaining({ rec_name: 'Hub Shop' }),
      }),
    ]);
    const customers = (await shopRpc('model.party.party.search_read', [['name', '=', 'Medusa customer']], 0, null, null, ['addresses'])) as { addresses: number[] }[];
    expect(customers).toHaveLength(1);
    expect(customers[0]!.addresses).toHaveLength(1);
    // What the connector does there: sales, as the hub.
    expect(await shopRpc('model.sale.sale.search', [], 0, null, null)).toEqual([]);

    const stockRpc = await session(service, wms.name);
    const locations = (await stockRpc('model.stock.location.search_read', [['code', 'in', ['WH', 'A-01']]], 0, null, null, ['code', 'type'])) as { code: string; type: string }[];
    expect(locations.map((l) => [l.code, l.type]).sort()).toEqual([['A-01', 'storage'], ['WH', 'warehouse']]);
    // Stock only: the WMS has no sales, so nothing can book one there by mistake.
    await expect(stockRpc('model.sale.sale.search', [], 0, null, null)).rejects.toThrow();
  });

  test('a test profile gets fresh databases on every start, cloned from the template rather than rebuilt', async () => {
    let service = await restart();
    const sku = `TRY-${randomUUID().slice(0, 8)}`;
    await createProduct(await session(service, service.databases!.erp.name), sku);
    expect(await productsWithCode(await session(service, service.databases!.erp.name), sku)).toHaveLength(1);

    service = await restart();
    const { erp, wms } = service.databases!;
    expect(erp).toEqual(expect.objectContaining({ templateBuilt: false, cloned: true }));
    expect(wms).toEqual(expect.objectContaining({ templateBuilt: false, cloned: true }));
    expect(await pgDatabase(erp.template)).toEqual({ exists: true, isTemplate: true });
    expect(await pgDatabase(wms.template)).toEqual({ exists: true, isTemplate: true });
    expect(await productsWithCode(await session(service, erp.name), sku)).toEqual([]);
  });

  test('kept data (the dev profile) survives a restart, and the set-up finds its records instead of adding more', async () => {
    let service = await restart();
    const sku = `KEEP-${randomUUID().slice(0, 8)}`;
    await createProduct(await session(service, service.databases!.erp.name), sku);

    service = await restart({ keepData: true });
    expect(service.databases!.erp.cloned).toBe(false);
    expect(service.databases!.wms.cloned).toBe(false);
    service = await restart({ keepData: true });
    const rpc = await session(service, service.databases!.erp.name);
    expect(await productsWithCode(rpc, sku)).toHaveLength(1);
    expect(await rpc('model.web.shop.search', [['name', '=', 'Medusa']], 0, null, null)).toHaveLength(1);
    expect(await rpc('model.party.party.search', [['name', 'in', ['Medusa customer', 'Hub Shop']]], 0, null, null)).toHaveLength(2);
    expect(await rpc('model.res.user.search', [['login', '=', 'hub']], 0, null, null)).toHaveLength(1);
  });
});

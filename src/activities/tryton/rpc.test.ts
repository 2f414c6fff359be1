import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { startFaultProxy, type FaultProxy } from '../../../test/support/fault-proxy';
import { failureOf } from '../../../test/support/simulators';
import { uniq } from '../../../test/support/systems';
import { trytonAdmin, trytonConnection } from '../../../test/support/tryton';
import { HTTP_CLIENT_ERROR, HTTP_RATE_LIMITED, HTTP_SERVER_ERROR, HTTP_UNREACHABLE } from '../http';
import {
  decimal,
  TRYTON_ACCESS_DENIED,
  TRYTON_CONCURRENCY,
  TRYTON_CONTRACT_VIOLATION,
  TRYTON_SERVER_ERROR,
  TRYTON_USER_ERROR,
  TrytonRpc,
  TrytonUserError,
  zDecimal,
} from './rpc';

// TrytonRpc against the stack's Tryton ERP database: each of Tryton's answer shapes, and the
// transport faults a proxy puts in front of it, land in the failure class rpc.ts documents.
describe('TrytonRpc against Tryton', () => {
  let proxy: FaultProxy;
  let rpc: TrytonRpc;

  beforeAll(async () => {
    proxy = await startFaultProxy(trytonConnection('erp').url);
  });
  afterAll(() => proxy.close());
  beforeEach(() => {
    proxy.reset();
    rpc = new TrytonRpc(trytonConnection('erp', { url: proxy.url }));
  });

  const unit = async () => (await rpc.model('product.uom').search([['symbol', '=', 'u']]))[0];
  const template = async (sku: string) => ({
    name: `RPC ${sku}`,
    type: 'goods',
    default_uom: await unit(),
    sale_uom: await unit(),
    list_price: decimal('12.30'),
    products: [['create', [{ suffix_code: sku }]]],
  });
  const logins = () => proxy.requests().filter((r) => r.rpcMethod === 'common.db.login').length;

  it('logs in once, carries the user context, and round-trips Decimals', async () => {
    const sku = `RPC-${uniq()}`;
    const [id] = await rpc.model('product.template').create([await template(sku)]);
    const [row] = await rpc.model('product.template').read(z.object({ list_price: zDecimal }), [id!], ['list_price']);
    expect(row?.list_price).toMatch(/^12\.30*$/);
    expect(await rpc.context()).toMatchObject({ company: expect.any(Number) });
    expect(await rpc.uid()).toEqual(expect.any(Number));
    expect(logins()).toBe(1);
  });

  it('a duplicate SKU is a TrytonUserError carrying Tryton\'s message, final unless caught', async () => {
    const sku = `RPC-${uniq()}`;
    await rpc.model('product.template').create([await template(sku)]);
    const err = await failureOf(rpc.model('product.template').create([await template(sku)]));
    expect(err).toBeInstanceOf(TrytonUserError);
    expect(err).toMatchObject({ type: TRYTON_USER_ERROR, nonRetryable: true, trytonMessage: expect.stringMatching(/code of active product must be unique/i) });
  });

  it('a session Tryton no longer knows is replaced by one fresh login', async () => {
    await rpc.model('product.product').search([], { limit: 1 });
    const authorization = proxy.requests().find((r) => r.rpcMethod?.startsWith('model.'))?.authorization;
    if (!authorization) throw new Error('no authorised request seen');
    // End that session on the server, as an expiry or an operator would.
    const { url, database } = trytonConnection('erp');
    const res = await fetch(new URL(`/${database}/rpc/`, url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ id: 1, method: 'common.db.logout', params: [] }),
    });
    expect(res.status).toBe(200);
    expect(await rpc.model('product.product').search([], { limit: 1 })).toEqual(expect.any(Array));
    expect(logins()).toBe(2);
  });

  it('a stale _timestamp is a retryable TrytonConcurrency', async () => {
    const [id] = await rpc.model('product.template').create([await template(`RPC-${uniq()}`)]);
    const stale = { _timestamp: { [`product.template,${id}`]: '1' } };
    const err = await failureOf(rpc.model('product.template').call('write', [[id], { name: 'changed' }], { context: stale }));
    expect(err).toMatchObject({ type: TRYTON_CONCURRENCY, nonRetryable: false });
  });

  it('an access refusal is a final TrytonAccessDenied', async () => {
    // A user of no group may log in and read products, but not sales.
    const admin = trytonAdmin('erp');
    const login = `h2-nogroup-${uniq().toLowerCase()}`;
    const password = `pw-${uniq()}-${uniq()}`;
    await admin.model('res.user').create([{ login, name: login, password }]);
    const plain = new TrytonRpc(trytonConnection('erp', { user: login, password }));
    const err = await failureOf(plain.model('sale.sale').search([], { limit: 1 }));
    expect(err).toMatchObject({ type: TRYTON_ACCESS_DENIED, nonRetryable: true });
  });

  it("an unexpected Python error is a retryable TrytonServerError", async () => {
    const err = await failureOf(rpc.model('product.template').create([{ ...(await template(`RPC-${uniq()}`)), no_such_field: 1 }]));
    expect(err).toMatchObject({ type: TRYTON_SERVER_ERROR, nonRetryable: false, message: expect.stringContaining('no_such_field') });
  });

  it('a result of the wrong shape is a final contract violation', async () => {
    const err = await failureOf(rpc.call('model.product.product.search', [[], 0, 1, null], { schema: z.string() }));
    expect(err).toMatchObject({ type: TRYTON_CONTRACT_VIOLATION, nonRetryable: true });
  });

  it('a wrong password is a final client error', async () => {
    const wrong = new TrytonRpc(trytonConnection('erp', { url: proxy.url, user: `nobody-${uniq().toLowerCase()}`, password: 'wrong' }));
    expect(await failureOf(wrong.model('product.product').search([], { limit: 1 }))).toMatchObject({ type: HTTP_CLIENT_ERROR, nonRetryable: true });
  });

  describe('transport faults', () => {
    it('503 is retryable; 429 waits for Retry-After', async () => {
      await rpc.context();
      proxy.arm({ mode: 'fail_before', rpcMethod: 'product.product.search', status: 503 });
      expect(await failureOf(rpc.model('product.product').search([]))).toMatchObject({ type: HTTP_SERVER_ERROR, nonRetryable: false });
      proxy.arm({ mode: 'fail_before', rpcMethod: 'product.product.search', status: 429, retryAfter: 7 });
      expect(await failureOf(rpc.model('product.product').search([]))).toMatchObject({ type: HTTP_RATE_LIMITED, nonRetryable: false, nextRetryDelay: 7000 });
      expect(await rpc.model('product.product').search([], { limit: 1 })).toEqual(expect.any(Array));
    });

    it('a lost answer is retryable, whether the connection drops or a 502 comes back', async () => {
      await rpc.context();
      proxy.arm({ mode: 'drop_response', rpcMethod: 'product.product.search' });
      const dropped = await failureOf(rpc.model('product.product').search([]));
      expect(dropped).toBeInstanceOf(ApplicationFailure);
      expect(dropped).toMatchObject({ type: HTTP_UNREACHABLE, nonRetryable: false });
      proxy.arm({ mode: 'drop_response', rpcMethod: 'product.product.search', as: '502' });
      expect(await failureOf(rpc.model('product.product').search([]))).toMatchObject({ type: HTTP_SERVER_ERROR, nonRetryable: false });
    });
  });
});

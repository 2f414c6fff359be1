import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { parse } from 'yaml';
import { z } from 'zod';
import { erpEventRoutes, saasEnvelopeSchema, wmsEventRoutes } from '../../api/rest-events';
import type { EventRoute } from '../../api/routes';
import type { SimulatorOptions } from '../../simulators/core/options';
import type { RunningSimulator } from '../../simulators/core/server';
import { API_KEY, CONTROL_KEY, control, tempDataDir, WEBHOOK_SECRET, WebhookReceiver } from '../../simulators/core/test-support';
import { startErpSimulator } from '../../simulators/erp/server';
import { startWmsSimulator } from '../../simulators/wms/server';
import { failureOf } from '../../../test/support/simulators';
import type { CreateResult, TransitionResult } from '../ports/common';
import { ErpRestClient, erpItemSchema, erpSalesOrderSchema } from './erp';
import { WmsRestClient, wmsFulfillmentOrderSchema, wmsSkuSchema, wmsStockLevelSchema } from './wms';

/**
 * Keeps docs/connectors/rest-openapi.yaml honest: its record schemas are the connector's zod
 * schemas, its envelope and events are what the bridge parses, and every request the connector
 * sends to the simulators and every answer and webhook they give is checked against it. A small
 * JSON-schema check of our own does the validating (the keywords the document uses; an unknown
 * keyword fails, so a typo cannot switch a check off).
 */

const DOC_PATH = join(__dirname, '../../../docs/connectors/rest-openapi.yaml');
const doc: unknown = parse(readFileSync(DOC_PATH, 'utf8'));

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, what: string): Obj {
  if (!isObj(v)) throw new Error(`${what} is not an object in the document`);
  return v;
}

/** `#/a/b` → the node; a $ref that points nowhere is a broken document. */
function deref(ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are used: ${ref}`);
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/')) node = obj(node, ref)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (node === undefined) throw new Error(`$ref ${ref} points nowhere`);
  return node;
}

/** A parameter, response or header: itself, or what its $ref names. */
function resolved(node: unknown, what: string): Obj {
  const o = obj(node, what);
  return typeof o.$ref === 'string' ? resolved(deref(o.$ref), o.$ref) : o;
}

const schemaOf = (name: string): unknown => deref(`#/components/schemas/${name}`);

// ---- a JSON-schema check of the keywords this document uses ---------------------------------

const KEYWORDS = new Set([
  '$ref', 'allOf', 'anyOf', 'oneOf', 'type', 'const', 'enum', 'properties', 'required', 'additionalProperties',
  'minProperties', 'items', 'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern', 'format',
  'minimum', 'maximum', 'exclusiveMinimum', 'description', 'default', 'title',
]);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const hasType = (v: unknown, t: string): boolean => typeOf(v) === t || (t === 'number' && typeOf(v) === 'integer');
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The reasons `value` does not match `schema`; empty when it does. */
function validate(schema: unknown, value: unknown, at = '$'): string[] {
  if (schema === true) return [];
  const s = obj(schema, `schema at ${at}`);
  for (const k of Object.keys(s)) if (!KEYWORDS.has(k)) throw new Error(`schema at ${at} uses the keyword "${k}", which this check does not know`);
  const errors: string[] = [];
  if (typeof s.$ref === 'string') errors.push(...validate(deref(s.$ref), value, at));
  for (const sub of list(s.allOf)) errors.push(...validate(sub, value, at));
  if (s.anyOf !== undefined && !list(s.anyOf).some((sub) => validate(sub, value, at).length === 0)) errors.push(`${at}: matches no anyOf branch`);
  if (s.oneOf !== undefined) {
    const n = list(s.oneOf).filter((sub) => validate(sub, value, at).length === 0).length;
    if (n !== 1) errors.push(`${at}: matches ${n} oneOf branches, not exactly one`);
  }
  if (s.type !== undefined) {
    const types = [s.type].flat().map(String);
    if (!types.some((t) => hasType(value, t))) return [...errors, `${at}: ${typeOf(value)} ${JSON.stringify(value)} is not ${types.join(' | ')}`];
  }
  if ('const' in s && !isDeepStrictEqual(value, s.const)) errors.push(`${at}: ${JSON.stringify(value)} is not ${JSON.stringify(s.const)}`);
  if (s.enum !== undefined && !list(s.enum).some((e) => isDeepStrictEqual(e, value))) errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof s.minLength === 'number' && length < s.minLength) errors.push(`${at}: shorter than ${s.minLength}`);
    if (typeof s.maxLength === 'number' && length > s.maxLength) errors.push(`${at}: longer than ${s.maxLength}`);
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(value)) errors.push(`${at}: does not match ${s.pattern}`);
    if (s.format !== undefined && s.format !== 'date-time') throw new Error(`schema at ${at}: format ${String(s.format)} is not checked`);
    if (s.format === 'date-time' && !(DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)))) errors.push(`${at}: not a date-time`);
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) errors.push(`${at}: below ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) errors.push(`${at}: above ${s.maximum}`);
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) errors.push(`${at}: not above ${s.exclusiveMinimum}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) errors.push(`${at}: fewer than ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) errors.push(`${at}: more than ${s.maxItems} items`);
    if (s.items !== undefined) value.forEach((v, i) => errors.push(...validate(s.items, v, `${at}[${i}]`)));
  }
  if (isObj(value)) {
    const props = isObj(s.properties) ? s.properties : {};
    for (const key of list(s.required)) if (!(String(key) in value)) errors.push(`${at}: lacks required "${String(key)}"`);
    if (typeof s.minProperties === 'number' && Object.keys(value).length < s.minProperties) errors.push(`${at}: fewer than ${s.minProperties} properties`);
    for (const [key, v] of Object.entries(value)) {
      if (key in props) errors.push(...validate(props[key], v, `${at}.${key}`));
      else if (s.additionalProperties === false) errors.push(`${at}: has "${key}", which the document does not allow`);
      else if (isObj(s.additionalProperties)) errors.push(...validate(s.additionalProperties, v, `${at}.${key}`));
    }
  }
  return errors;
}

// ---- shapes: property names, required keys and types, to compare schemas ------------------

/** What two schemas must agree on; `types` empty = anything. */
interface Shape {
  types: string[];
  enum?: unknown[];
  properties?: Record<string, Shape>;
  required?: string[];
  items?: Shape;
}

const ANY: Shape = { types: [] };
const sorted = <T>(xs: Iterable<T>): T[] => [...new Set(xs)].sort();

function union(a: Shape, b: Shape): Shape {
  if (a.types.length === 0 || b.types.length === 0) return ANY;
  const out: Shape = { types: sorted([...a.types, ...b.types]) };
  if (a.enum && b.enum) out.enum = sorted([...a.enum, ...b.enum].map(String));
  // The document and zod only ever join an object or an array with null; more would need a real merge.
  if ((a.properties && b.properties) || (a.items && b.items)) throw new Error('a union of two objects or two arrays is not compared');
  const object = a.properties ? a : b.properties ? b : undefined;
  if (object) Object.assign(out, { properties: object.properties, required: object.required });
  const items = a.items ?? b.items;
  if (items) out.items = items;
  return out;
}

function intersect(a: Shape, b: Shape): Shape {
  const types = a.types.length === 0 ? b.types : b.types.length === 0 ? a.types : a.types.filter((t) => b.types.includes(t));
  const out: Shape = { types };
  const enums = [a.enum, b.enum].filter((e): e is unknown[] => e !== undefined);
  if (enums.length) out.enum = sorted(enums.reduce((x, y) => x.filter((v) => y.includes(v))).map(String));
  if (a.properties || b.properties) {
    const props: Record<string, Shape> = { ...a.properties };
    for (const [k, v] of Object.entries(b.properties ?? {})) props[k] = props[k] ? intersect(props[k], v) : v;
    out.properties = props;
    out.required = sorted([...(a.required ?? []), ...(b.required ?? [])]);
  }
  if (a.items || b.items) out.items = a.items && b.items ? intersect(a.items, b.items) : (a.items ?? b.items);
  return out;
}

function shape(schema: unknown): Shape {
  if (schema === true) return ANY;
  const s = obj(schema, 'schema');
  let out: Shape = ANY;
  if (typeof s.$ref === 'string') out = intersect(out, shape(deref(s.$ref)));
  for (const sub of list(s.allOf)) out = intersect(out, shape(sub));
  for (const key of ['anyOf', 'oneOf'] as const) if (s[key] !== undefined) out = intersect(out, list(s[key]).map(shape).reduce(union));
  const own: Shape = { types: s.type === undefined ? [] : sorted([s.type].flat().map(String)) };
  if ('const' in s) Object.assign(own, { types: [typeOf(s.const)], enum: [String(s.const)] });
  if (s.enum !== undefined) own.enum = sorted(list(s.enum).map(String));
  if (isObj(s.properties)) {
    own.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, shape(v)]));
    own.required = sorted(list(s.required).map(String));
  } else if (s.required !== undefined) {
    own.required = sorted(list(s.required).map(String));
  }
  if (s.items !== undefined) own.items = shape(s.items);
  return intersect(out, own);
}

/** What the document promises that the hub's schema would refuse; empty when it promises no more. */
function promisesMoreThan(promised: Shape, accepted: Shape, at = '$'): string[] {
  const errors: string[] = [];
  const widen = (t: string) => (t === 'integer' ? ['integer', 'number'] : [t]);
  if (accepted.types.length && (!promised.types.length || promised.types.some((t) => !widen(t).some((w) => accepted.types.includes(w))))) {
    errors.push(`${at}: the document allows ${promised.types.join('|') || 'anything'}, the hub only ${accepted.types.join('|')}`);
  }
  if (accepted.enum && (!promised.enum || promised.enum.some((v) => !accepted.enum?.includes(v)))) errors.push(`${at}: the document allows values the hub refuses`);
  for (const key of accepted.required ?? []) if (!promised.required?.includes(key)) errors.push(`${at}: the hub needs "${key}", the document does not require it`);
  for (const [key, sub] of Object.entries(accepted.properties ?? {})) {
    const p = promised.properties?.[key];
    if (p) errors.push(...promisesMoreThan(p, sub, `${at}.${key}`));
  }
  if (accepted.items && promised.items) errors.push(...promisesMoreThan(promised.items, accepted.items, `${at}[]`));
  return errors;
}

/**
 * Fields of `value` the document does not name. Records may carry more than the hub reads, so
 * schemas allow them; but the simulators are the reference, and what they send is documented.
 */
function undocumentedKeys(s: Shape, value: unknown, at = '$'): string[] {
  if (Array.isArray(value) && s.items) return value.flatMap((v, i) => undocumentedKeys(s.items!, v, `${at}[${i}]`));
  if (!isObj(value) || !s.properties) return [];
  const props = s.properties;
  return Object.entries(value).flatMap(([k, v]) => (props[k] ? undocumentedKeys(props[k], v, `${at}.${k}`) : [`${at}.${k} is not documented`]));
}

const zodShape = (schema: z.ZodType): Shape => shape(z.toJSONSchema(schema, { unrepresentable: 'any' }));

// ---- the document's operations and webhooks -------------------------------------------------

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

interface Operation {
  id: string;
  method: string;
  template: string;
  pattern: RegExp;
  op: Obj;
  parameters: Obj[];
}

const operations: Operation[] = Object.entries(obj(obj(doc, 'document').paths, 'paths')).flatMap(([template, item]) => {
  const pathItem = obj(item, template);
  return METHODS.filter((m) => pathItem[m] !== undefined).map((m) => {
    const op = obj(pathItem[m], `${m} ${template}`);
    const parameters = [...list(pathItem.parameters), ...list(op.parameters)].map((p) => resolved(p, `parameter of ${template}`));
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`);
    return { id: String(op.operationId), method: m.toUpperCase(), template, pattern, op, parameters };
  });
});

const webhooks = obj(obj(doc, 'document').webhooks, 'webhooks');
const webhookOp = (type: string): Obj => obj(obj(webhooks[type], type).post, `webhook ${type}`);
const webhookBody = (type: string): unknown => obj(obj(obj(webhookOp(type).requestBody, type).content, type)['application/json'], type).schema;

/** The `data` schema of one documented event (the allOf branch that names it). */
function webhookData(type: string): unknown {
  for (const branch of list(obj(webhookBody(type), type).allOf)) {
    const props = obj(branch, type).properties;
    if (isObj(props) && props.data !== undefined) return props.data;
  }
  throw new Error(`webhook ${type} names no data schema`);
}

/** Tag `erp` or `wms`: which system sends it (and which bridge route table takes it). */
const systemOf = (op: Obj): string => String(list(op.tags)[0]);

/** The `error.code` values a response schema lists (the conflict codes), if any. */
function documentedCodes(schema: unknown): string[] {
  const s = obj(schema, 'response schema');
  const own = isObj(s.properties) && isObj(s.properties.error) ? obj(s.properties.error, 'error').properties : undefined;
  const code = isObj(own) && isObj(own.code) ? list(own.code.enum).map(String) : [];
  return [...code, ...list(s.allOf).flatMap(documentedCodes)];
}

const jsonSchemaOf = (response: Obj): unknown => {
  const content = response.content;
  return isObj(content) && isObj(content['application/json']) ? content['application/json'].schema : undefined;
};

describe('docs/connectors/rest-openapi.yaml', () => {
  it('describes each record with the property names, required keys and types the connector parses', () => {
    const records: Record<string, z.ZodType> = {
      Item: erpItemSchema,
      SalesOrder: erpSalesOrderSchema,
      Sku: wmsSkuSchema,
      StockLevel: wmsStockLevelSchema,
      FulfillmentOrder: wmsFulfillmentOrderSchema,
    };
    for (const [name, schema] of Object.entries(records)) expect({ [name]: shape(schemaOf(name)) }).toEqual({ [name]: zodShape(schema) });
  });

  it('describes the webhook envelope as the bridge parses it, and no event data the bridge would refuse', () => {
    expect(shape(schemaOf('WebhookEnvelope'))).toEqual(zodShape(saasEnvelopeSchema));
    const routes: Record<string, Record<string, EventRoute>> = { erp: erpEventRoutes, wms: wmsEventRoutes };
    for (const type of Object.keys(webhooks)) {
      const route = routes[systemOf(webhookOp(type))]?.[type];
      expect({ type, routed: route !== undefined }).toEqual({ type, routed: true });
      expect({ type, problems: promisesMoreThan(shape(webhookData(type)), zodShape(route!.data)) }).toEqual({ type, problems: [] });
    }
  });

  it('documents every event type the bridge routes', () => {
    const routed = [...Object.keys(erpEventRoutes), ...Object.keys(wmsEventRoutes)];
    expect(sorted(Object.keys(webhooks))).toEqual(sorted(routed));
  });
});

// ---- the connector against the simulators, every exchange recorded --------------------------

interface Exchange {
  system: string;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
  status: number;
  responseHeaders: Record<string, string>;
  response: unknown;
}

const parseJson = (text: string): unknown => (text ? JSON.parse(text) : undefined);

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Headers the proxy leaves to its own connections. */
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/** A pass-through proxy in front of a simulator that records what the connector really sent and got. */
async function startRecorder(system: string, target: string, log: Exchange[]): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readAll(req);
      const url = new URL(req.url ?? '/', target);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !HOP_BY_HOP.has(k)) headers[k] = v;
      const answer = await fetch(url, { method: req.method, headers, body: raw.length > 0 ? raw : undefined });
      const text = await answer.text();
      const responseHeaders: Record<string, string> = {};
      answer.headers.forEach((v, k) => {
        if (!HOP_BY_HOP.has(k)) responseHeaders[k] = v;
      });
      log.push({ system, method: req.method ?? '', path: url.pathname, query: url.searchParams, headers, body: parseJson(raw), status: answer.status, responseHeaders, response: parseJson(text) });
      res.writeHead(answer.status, responseHeaders).end(text);
    })().catch((err: unknown) => {
      res.writeHead(599).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Notes the name of every method used on `client`, to prove the scenario calls them all. */
function noting<T extends object>(client: T, used: Set<string>): T {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value === 'function' && typeof prop === 'string') used.add(prop);
      return value;
    },
  });
}

const publicMethods = (cls: { prototype: object }): string[] => Object.getOwnPropertyNames(cls.prototype).filter((n) => n !== 'constructor');

function created<T>(r: CreateResult<T>): T {
  if (r.outcome !== 'created') throw new Error(`expected a create, got ${r.code}`);
  return r.record;
}

function ok<T>(r: TransitionResult<T>): T {
  if (r.outcome !== 'ok') throw new Error(`expected ok, got ${r.code}`);
  return r.record;
}

/** The statuses every operation documents through a shared response; each must be seen once somewhere. */
const SHARED_STATUSES = ['400', '401', '422', '429', '5XX'];

describe('docs/connectors/rest-openapi.yaml against the simulators, through the REST connector', () => {
  const exchanges: Exchange[] = [];
  const used = new Set<string>();
  const receivers: Record<'erp' | 'wms', WebhookReceiver> = { erp: new WebhookReceiver(), wms: new WebhookReceiver() };
  const closers: Array<() => Promise<void>> = [];
  /** How many events each simulator queued for its webhook, read once the scenario is done. */
  const queued: Record<string, number> = {};

  const sim = async (start: (opts: SimulatorOptions) => Promise<RunningSimulator>, extra: Partial<SimulatorOptions>): Promise<RunningSimulator> => {
    const data = tempDataDir();
    const s = await start({ port: 0, dataDir: data.dir, apiKeys: [API_KEY], controlKey: CONTROL_KEY, ...extra });
    closers.push(async () => {
      await s.close();
      data.remove();
    });
    return s;
  };
  const recorder = async (system: string, target: RunningSimulator): Promise<string> => {
    const r = await startRecorder(system, target.url, exchanges);
    closers.push(() => r.close());
    return r.url;
  };

  beforeAll(async () => {
    for (const r of Object.values(receivers)) {
      await r.start();
      closers.push(() => r.close());
    }
    // Every event type, not just the documented ones: a type renamed in the simulator must show up missing.
    const erpSim = await sim(startErpSimulator, { webhook: { url: receivers.erp.url, secret: WEBHOOK_SECRET, retry: { baseMs: 20 } } });
    const wmsSim = await sim(startWmsSimulator, { webhook: { url: receivers.wms.url, secret: WEBHOOK_SECRET, retry: { baseMs: 20 } } });
    // Refill so slow that the second request is refused however slow this machine is.
    const limitedSim = await sim(startErpSimulator, { rateLimit: { perSecond: 0.001, burst: 1 } });
    const erpUrl = await recorder('erp', erpSim);
    const wmsUrl = await recorder('wms', wmsSim);
    const erp = noting(new ErpRestClient({ baseUrl: erpUrl, apiKey: API_KEY }), used);
    const wms = noting(new WmsRestClient({ baseUrl: wmsUrl, apiKey: API_KEY }), used);
    let n = 0;
    const key = () => `openapi-test/${++n}`;
    const hub = (idempotencyKey: string) => ({ idempotencyKey, origin: 'hub:openapi-test' });

    // ERP items.
    const itemKey = key();
    const itemInput = { sku: 'SKU-A', name: 'Shirt', price: { amount: 1999, currency_code: 'EUR' }, external_ref: 'prod_01A' };
    const item = created(await erp.createItem(itemInput, hub(itemKey)));
    created(await erp.createItem(itemInput, hub(itemKey))); // the replay of a lost response
    await erp.createItem({ sku: 'SKU-A', name: 'Other' }, hub(key())); // sku_conflict
    await failureOf(erp.createItem({ sku: 'SKU-Z', name: 'Other' }, hub(itemKey))); // the key reused: 422
    const other = created(await erp.createItem({ sku: 'SKU-B', name: 'Trousers', status: 'inactive' }, hub(key())));
    await erp.getItem(item.id);
    await erp.getItem('itm_missing');
    const first = await erp.listItems({ limit: 1 });
    await erp.listItems({ limit: 1, cursor: first.next_cursor ?? undefined });
    await failureOf(erp.listItems({ cursor: 'not-a-cursor' })); // 400
    await erp.listItems({ status: 'active', updated_since: item.updated_at });
    await erp.listAllItems();
    await erp.listItemsByExternalRef('prod_01A');
    await erp.findItemBySku('SKU-A');
    await erp.updateItem(item.id, { name: 'Shirt 2', price: { amount: 2499, currency_code: 'eur' }, expected_version: 1 }, hub(key()));
    await failureOf(erp.updateItem(item.id, { name: 'Shirt 3', expected_version: 1 }, hub(key()))); // version_conflict
    await failureOf(erp.updateItem(item.id, { sku: 'SKU-B' }, hub(key()))); // sku_conflict
    await failureOf(erp.updateItem('itm_missing', { name: 'x' }, hub(key()))); // 404
    const deleteKey = key();
    await erp.deleteItem(other.id, hub(deleteKey));
    await erp.deleteItem(other.id, hub(deleteKey)); // replayed 200
    await erp.deleteItem(other.id, hub(key())); // 404
    await failureOf(new ErpRestClient({ baseUrl: erpUrl, apiKey: 'wrong-key' }).getItem(item.id)); // 401
    await control(erpSim.url, 'POST', '/faults', { method: 'GET', path: '/v1/items', mode: 'fail_before', status: 503, times: 1 });
    await failureOf(erp.listItems()); // 5xx

    // ERP sales orders.
    const lines = [{ sku: 'SKU-A', quantity: 2, unit_price: 1999 }];
    const order = created(await erp.createSalesOrder({ external_ref: 'order_01A', currency_code: 'EUR', lines }, hub(key())));
    await erp.createSalesOrder({ external_ref: 'order_01A', currency_code: 'EUR', lines }, hub(key())); // external_ref_conflict
    await erp.getSalesOrder(order.id);
    await erp.getSalesOrder('so_missing');
    await erp.listSalesOrders({ status: 'open', updated_since: order.updated_at });
    await erp.findSalesOrderByExternalRef('order_01A');
    await erp.updateSalesOrderStatus(order.id, 'shipped', hub(key()));
    await failureOf(erp.updateSalesOrderStatus(order.id, 'canceled', hub(key()))); // invalid_transition
    await failureOf(erp.updateSalesOrderStatus('so_missing', 'canceled', hub(key()))); // 404
    await erp.deleteSalesOrder(order.id, hub(key()));
    await erp.deleteSalesOrder(order.id, hub(key())); // 404

    // The rate limit: the second request is refused with Retry-After.
    const limited = new ErpRestClient({ baseUrl: await recorder('erp', limitedSim), apiKey: API_KEY });
    await limited.getItem('itm_1');
    await failureOf(limited.getItem('itm_1'));

    // WMS SKUs.
    const skuKey = key();
    const skuInput = { sku: 'SKU-A', description: 'Shirt', external_ref: 'prod_01A' };
    const sku = created(await wms.createSku(skuInput, hub(skuKey)));
    created(await wms.createSku(skuInput, hub(skuKey))); // replayed
    await wms.createSku({ sku: 'SKU-A' }, hub(key())); // sku_conflict
    const spare = created(await wms.createSku({ sku: 'SKU-B' }, hub(key())));
    await wms.getSku(sku.id);
    await wms.getSku('wsku_missing');
    await wms.listSkus({ sku: 'SKU-A' });
    await wms.listAllSkus();
    await wms.listSkusByExternalRef('prod_01A');
    await wms.findSkuBySku('SKU-A');
    await wms.updateSku(sku.id, { description: 'Shirt, blue' }, hub(key()));
    await failureOf(wms.updateSku('wsku_missing', { description: 'x' }, hub(key()))); // 404
    await wms.deleteSku(spare.id, hub(key()));
    await wms.deleteSku(spare.id, hub(key())); // 404

    // WMS stock.
    await wms.setStock('SKU-A', 'WH-1', 5, hub(key()));
    await wms.setStock('SKU-A', 'WH-1', 7, { idempotencyKey: key() });
    await failureOf(wms.setStock('SKU-NONE', 'WH-1', 1, hub(key()))); // sku_not_found
    await wms.getStock('SKU-A', 'WH-1');
    await wms.getStock('SKU-A', 'WH-9');
    await wms.listStock({ sku: 'SKU-A', warehouse_code: 'WH-1' });

    // WMS fulfillment orders.
    const foLines = [{ sku: 'SKU-A', quantity: 2 }];
    const fo = created(await wms.createFulfillmentOrder({ external_ref: 'order_01A', lines: foLines }, hub(key())));
    await wms.createFulfillmentOrder({ external_ref: 'order_01A', lines: foLines }, hub(key())); // external_ref_conflict
    const fo2 = created(await wms.createFulfillmentOrder({ external_ref: 'order_01B', lines: foLines }, hub(key())));
    await wms.getFulfillmentOrder(fo.id);
    await wms.getFulfillmentOrder('fo_missing');
    await wms.listFulfillmentOrders({ status: 'pending' });
    await wms.findFulfillmentOrderByExternalRef('order_01A');
    const shipment = { tracking_number: 'TRK-1', carrier: 'dhl' };
    ok(await wms.shipFulfillmentOrder(fo.id, shipment, { idempotencyKey: key(), origin: 'wms-ui' }));
    await wms.shipFulfillmentOrder(fo.id, { ...shipment, tracking_number: 'TRK-2' }, hub(key())); // already_shipped
    await wms.cancelFulfillmentOrder(fo.id, hub(key())); // already_shipped
    ok(await wms.cancelFulfillmentOrder(fo2.id, hub(key())));
    await wms.shipFulfillmentOrder(fo2.id, shipment, hub(key())); // already_canceled
    await failureOf(wms.cancelFulfillmentOrder('fo_missing', hub(key()))); // 404
    await failureOf(wms.shipFulfillmentOrder('fo_missing', shipment, hub(key()))); // 404

    // Every event is queued in the write that causes it, so the count is final now.
    for (const [name, s] of [['erp', erpSim], ['wms', wmsSim]] as const) {
      const stats = await control<{ webhooks: { pending: number; delivered: number; failed: number } }>(s.url, 'GET', '/stats');
      queued[name] = stats.body.webhooks.pending + stats.body.webhooks.delivered + stats.body.webhooks.failed;
      await receivers[name].waitFor(() => receivers[name].accepted().length >= queued[name]!);
    }
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  const operationOf = (x: Exchange): Operation | undefined => operations.find((o) => o.method === x.method && o.pattern.test(x.path));
  const responseKey = (op: Operation, status: number): string | undefined => {
    const responses = obj(op.op.responses, op.id);
    return [String(status), `${String(status)[0]}XX`].find((k) => responses[k] !== undefined);
  };

  /** Everything about one exchange the document gets wrong. */
  function problems(x: Exchange): string[] {
    const op = operationOf(x);
    if (!op) return ['the connector calls an endpoint the document does not describe'];
    const errors: string[] = [];
    if (!/^Bearer \S+$/.test(x.headers.authorization ?? '')) errors.push('no Bearer API key');
    const values = op.pattern.exec(x.path)?.slice(1).map(decodeURIComponent) ?? [];
    const pathParams = op.parameters.filter((p) => p.in === 'path');
    pathParams.forEach((p, i) => errors.push(...validate(p.schema, values[i], `path ${String(p.name)}`)));
    for (const [name, value] of x.query) {
      const p = op.parameters.find((q) => q.in === 'query' && q.name === name);
      if (!p) errors.push(`query parameter ${name} is not documented`);
      else errors.push(...validate(p.schema, obj(p.schema, name).type === 'integer' ? Number(value) : value, `query ${name}`));
    }
    for (const p of op.parameters.filter((h) => h.in === 'header')) {
      const value = x.headers[String(p.name).toLowerCase()];
      if (value === undefined) {
        if (p.required === true) errors.push(`required header ${String(p.name)} was not sent`);
      } else errors.push(...validate(p.schema, value, `header ${String(p.name)}`));
    }
    if (op.op.requestBody === undefined) {
      if (x.body !== undefined) errors.push('the connector sends a body the document does not describe');
    } else {
      const body = obj(op.op.requestBody, `${op.id} requestBody`);
      errors.push(...validate(jsonSchemaOf(body), x.body, 'request body'));
    }
    const key = responseKey(op, x.status);
    if (!key) return [...errors, `status ${x.status} is not documented`];
    const response = resolved(obj(op.op.responses, op.id)[key], `${op.id} ${key}`);
    const schema = jsonSchemaOf(response);
    if (schema !== undefined) errors.push(...validate(schema, x.response, `response ${x.status}`), ...undocumentedKeys(shape(schema), x.response, 'response'));
    const headers = isObj(response.headers) ? response.headers : {};
    for (const [name, h] of Object.entries(headers)) {
      const header = resolved(h, name);
      const value = x.responseHeaders[name.toLowerCase()];
      if (value === undefined && header.required === true) errors.push(`response header ${name} is missing`);
      if (value !== undefined) errors.push(...validate(header.schema, value, `response header ${name}`));
    }
    if (x.responseHeaders['idempotent-replayed'] !== undefined && !('Idempotent-Replayed' in headers)) errors.push('a replay the document does not mention');
    return errors;
  }

  it('describes every request the connector sends and every answer it gets', () => {
    const wrong = exchanges.map((x) => ({ call: `${x.method} ${x.path}${x.query.size ? `?${x.query}` : ''} → ${x.status}`, problems: problems(x) })).filter((r) => r.problems.length > 0);
    expect(wrong).toEqual([]);
  });

  it('has every documented operation, status and refusal code answered by the simulators', () => {
    const seen = new Map<string, Set<string>>();
    const codes = new Map<string, Set<string>>();
    for (const x of exchanges) {
      const op = operationOf(x);
      const key = op && responseKey(op, x.status);
      if (!op || !key) continue;
      seen.set(op.id, (seen.get(op.id) ?? new Set()).add(key));
      if (isObj(x.response) && isObj(x.response.error)) codes.set(`${op.id} ${key}`, (codes.get(`${op.id} ${key}`) ?? new Set()).add(String(x.response.error.code)));
    }
    const missing: string[] = [];
    for (const op of operations) {
      for (const [key, r] of Object.entries(obj(op.op.responses, op.id))) {
        if (SHARED_STATUSES.includes(key)) continue;
        if (!seen.get(op.id)?.has(key)) missing.push(`${op.id} ${key}`);
        const schema = jsonSchemaOf(resolved(r, `${op.id} ${key}`));
        for (const code of schema === undefined ? [] : documentedCodes(schema)) if (!codes.get(`${op.id} ${key}`)?.has(code)) missing.push(`${op.id} ${key} ${code}`);
      }
    }
    for (const key of SHARED_STATUSES) if (![...seen.values()].some((s) => s.has(key))) missing.push(`any operation ${key}`);
    expect(missing).toEqual([]);
  });

  it('exercised every method of the connector', () => {
    expect(sorted([...publicMethods(ErpRestClient), ...publicMethods(WmsRestClient)].filter((m) => !used.has(m)))).toEqual([]);
  });

  it('answers a write retried with its Idempotency-Key with the first result, and keeps the key on what a create made', () => {
    const replays = exchanges.filter((x) => x.responseHeaders['idempotent-replayed'] === 'true');
    expect(sorted(replays.map((x) => `${x.method} ${operationOf(x)?.template}`))).toEqual(['DELETE /v1/items/{id}', 'POST /v1/items', 'POST /v1/skus']);
    for (const replay of replays) {
      const original = exchanges.find((x) => x.headers['idempotency-key'] === replay.headers['idempotency-key'] && x.responseHeaders['idempotent-replayed'] === undefined);
      expect({ status: replay.status, body: replay.response }).toEqual({ status: original?.status, body: original?.response });
    }
    for (const x of exchanges.filter((e) => e.status === 201 && (e.path === '/v1/items' || e.path === '/v1/skus'))) {
      expect(isObj(x.response) && x.response.creation_key).toBe(x.headers['idempotency-key']);
    }
  });

  it('sends every documented webhook, signed, in the documented envelope, with data the bridge accepts', () => {
    const routes: Record<string, Record<string, EventRoute>> = { erp: erpEventRoutes, wms: wmsEventRoutes };
    const seen = new Set<string>();
    const wrong: Array<{ event: string; problems: string[] }> = [];
    let hubOrigins = 0;
    for (const [system, receiver] of Object.entries(receivers)) {
      for (const delivery of receiver.accepted()) {
        // Throws unless the signature is the secret's over exactly these bytes.
        new Webhook(WEBHOOK_SECRET).verify(delivery.body, delivery.headers);
        const event = obj(JSON.parse(delivery.body), 'event');
        const type = String(event.type);
        // Types the hub takes nothing from (item.created, sku.*, …) are the simulator's extras, not the contract.
        if (webhooks[type] === undefined) continue;
        seen.add(type);
        const op = webhookOp(type);
        const errors = [...validate(webhookBody(type), event, 'body'), ...undocumentedKeys(shape(webhookBody(type)), event, 'body')];
        if (systemOf(op) !== system) errors.push(`sent by the ${system}, documented for the ${systemOf(op)}`);
        for (const p of list(op.parameters).map((q) => resolved(q, type))) errors.push(...validate(p.schema, delivery.headers[String(p.name)], `header ${String(p.name)}`));
        if (event.id !== delivery.headers['webhook-id']) errors.push('the event id is not the webhook-id');
        if (!saasEnvelopeSchema.safeParse(event).success) errors.push('the bridge refuses the envelope');
        if (!routes[system]?.[type]?.data.safeParse(event.data).success) errors.push('the bridge refuses the data');
        if (event.origin === 'hub:openapi-test') hubOrigins++;
        if (errors.length) wrong.push({ event: `${type} ${delivery.body.slice(0, 200)}`, problems: errors });
      }
    }
    expect(wrong).toEqual([]);
    expect(sorted(seen)).toEqual(sorted(Object.keys(webhooks)));
    // X-Origin comes back as the events' origin: how the hub knows its own echoes.
    expect(hubOrigins).toBeGreaterThan(0);
  });
});

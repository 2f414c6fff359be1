import { ConfigError, loadBridgeConfig, loadWorkerConfig } from '.';

const validWorker = {
  MEDUSA_BACKEND_URL: 'http://127.0.0.1:9000',
  MEDUSA_API_KEY: 'sk_123',
  ERP_CONNECTOR: 'rest',
  WMS_CONNECTOR: 'rest',
  ERP_BASE_URL: 'http://127.0.0.1:4010',
  ERP_API_KEY: 'erp_123',
  WMS_BASE_URL: 'http://127.0.0.1:4020',
  WMS_API_KEY: 'wms_123',
  CMS_BASE_URL: 'http://127.0.0.1:1337',
  CMS_API_TOKEN: 'tok',
};

describe('configuration', () => {
  test('a complete worker environment parses, with defaults for the rate limits', () => {
    expect(loadWorkerConfig(validWorker)).toMatchObject({
      ERP_MAX_ACTIVITIES_PER_SECOND: 200,
      connectors: { erp: { kind: 'rest', baseUrl: 'http://127.0.0.1:4010', apiKey: 'erp_123' }, wms: { kind: 'rest', baseUrl: 'http://127.0.0.1:4020' } },
    });
  });

  const tryton = { TRYTON_URL: 'http://127.0.0.1:8000', TRYTON_USER: 'hub', TRYTON_PASSWORD: 'pw', TRYTON_ERP_DATABASE: 'erp', TRYTON_WMS_DATABASE: 'wms' };

  test('Tryton is the default connector of both roles, each on its own database', () => {
    const { CMS_BASE_URL, CMS_API_TOKEN, MEDUSA_BACKEND_URL, MEDUSA_API_KEY } = validWorker;
    const config = loadWorkerConfig({ CMS_BASE_URL, CMS_API_TOKEN, MEDUSA_BACKEND_URL, MEDUSA_API_KEY, ...tryton });
    expect(config.connectors).toEqual({
      erp: { kind: 'tryton', url: 'http://127.0.0.1:8000', user: 'hub', password: 'pw', database: 'erp', webShop: 'Medusa', customer: 'Medusa customer', warehouse: 'WH', pollEveryMs: 5000 },
      wms: { kind: 'tryton', url: 'http://127.0.0.1:8000', user: 'hub', password: 'pw', database: 'wms', webShop: 'Medusa', customer: 'Medusa customer', warehouse: 'WH', pollEveryMs: 5000 },
    });
  });

  test('each connector names the variables it is missing, and an unknown connector is refused', () => {
    const attempt = (): unknown => loadWorkerConfig({ ...validWorker, ERP_CONNECTOR: 'tryton', WMS_BASE_URL: undefined });
    expect(attempt).toThrow(/required with ERP_CONNECTOR=tryton\s+→ at TRYTON_URL/);
    expect(attempt).toThrow(/TRYTON_ERP_DATABASE/);
    expect(attempt).toThrow(/required with WMS_CONNECTOR=rest\s+→ at WMS_BASE_URL/);
    expect(() => loadWorkerConfig({ ...validWorker, ...tryton, ERP_CONNECTOR: 'odoo' })).toThrow(/ERP_CONNECTOR/);
  });

  test('request pacing is off unless set, and must be a positive rate', () => {
    expect(loadWorkerConfig(validWorker).ERP_MAX_REQUESTS_PER_SECOND).toBeUndefined();
    expect(loadWorkerConfig({ ...validWorker, WMS_MAX_REQUESTS_PER_SECOND: '2.5' }).WMS_MAX_REQUESTS_PER_SECOND).toBe(2.5);
    expect(() => loadWorkerConfig({ ...validWorker, ERP_MAX_REQUESTS_PER_SECOND: '0' })).toThrow(/ERP_MAX_REQUESTS_PER_SECOND/);
  });

  test('a bad value names the variable and why', () => {
    const attempt = (): unknown => loadWorkerConfig({ ...validWorker, ERP_BASE_URL: 'ftp://erp', WMS_API_KEY: undefined });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/ERP_BASE_URL/);
    expect(attempt).toThrow(/WMS_API_KEY/);
  });

  test('webhook secrets must be Standard Webhooks secrets; several are accepted for rotation', () => {
    const a = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
    const b = `whsec_${Buffer.alloc(24, 2).toString('base64')}`;
    expect(loadBridgeConfig({ WEBHOOK_SECRETS_MEDUSA: `${a}, ${b}` }).WEBHOOK_SECRETS_MEDUSA).toEqual([a, b]);
    expect(() => loadBridgeConfig({ WEBHOOK_SECRETS_MEDUSA: 'hunter2' })).toThrow(/WEBHOOK_SECRETS_MEDUSA/);
  });

  test('codec keys must be 32 bytes', () => {
    expect(() => loadBridgeConfig({ WEBHOOK_SECRETS_MEDUSA: `whsec_${Buffer.alloc(24, 1).toString('base64')}`, HUB_CODEC_KEY: 'c2hvcnQ=' })).toThrow(/HUB_CODEC_KEY/);
  });
});

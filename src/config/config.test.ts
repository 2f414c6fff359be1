import { ConfigError, loadBridgeConfig, loadWorkerConfig } from '.';

const validWorker = {
  MEDUSA_BACKEND_URL: 'http://127.0.0.1:9000',
  MEDUSA_API_KEY: 'sk_123',
  ERP_BASE_URL: 'http://127.0.0.1:4010',
  ERP_API_KEY: 'erp_123',
  WMS_BASE_URL: 'http://127.0.0.1:4020',
  WMS_API_KEY: 'wms_123',
  CMS_BASE_URL: 'http://127.0.0.1:1337',
  CMS_API_TOKEN: 'tok',
};

describe('configuration', () => {
  test('a complete worker environment parses, with defaults for the rate limits', () => {
    expect(loadWorkerConfig(validWorker)).toMatchObject({ ERP_BASE_URL: 'http://127.0.0.1:4010', ERP_MAX_ACTIVITIES_PER_SECOND: 200 });
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

import { z } from 'zod';
import { optionsFromEnv } from './options';
import { WEBHOOK_SECRET } from './test-support';

describe('simulator env configuration', () => {
  const base = { SIM_PORT: '4010', SIM_DATA_DIR: '/tmp/erp', SIM_API_KEYS: 'k1, k2', SIM_CONTROL_KEY: 'ctl' };

  it('maps env to options, treating blank values as unset', () => {
    expect(optionsFromEnv({ ...base, SIM_WEBHOOK_URL: '', SIM_RATE_LIMIT_PER_SECOND: '20' })).toEqual({
      port: 4010,
      dataDir: '/tmp/erp',
      apiKeys: ['k1', 'k2'],
      controlKey: 'ctl',
      webhook: undefined,
      rateLimit: { perSecond: 20, burst: 20 },
    });
    expect(optionsFromEnv({ ...base, SIM_WEBHOOK_URL: 'http://127.0.0.1:3000/hooks', SIM_WEBHOOK_SECRET: WEBHOOK_SECRET }).webhook).toEqual({
      url: 'http://127.0.0.1:3000/hooks',
      secret: WEBHOOK_SECRET,
    });
  });

  it('reads SIM_WEBHOOK_EVENTS as a trimmed list, empty meaning every event', () => {
    const hooks = { ...base, SIM_WEBHOOK_URL: 'http://127.0.0.1:3000/hooks', SIM_WEBHOOK_SECRET: WEBHOOK_SECRET };
    expect(optionsFromEnv({ ...hooks, SIM_WEBHOOK_EVENTS: ' item.updated ,sales_order.created,, ' }).webhook).toEqual({
      url: 'http://127.0.0.1:3000/hooks',
      secret: WEBHOOK_SECRET,
      events: ['item.updated', 'sales_order.created'],
    });
    expect(optionsFromEnv({ ...hooks, SIM_WEBHOOK_EVENTS: '' }).webhook).not.toHaveProperty('events');
    expect(optionsFromEnv(hooks).webhook).not.toHaveProperty('events');
  });

  it.each([
    [{ SIM_PORT: 'abc' }, 'SIM_PORT'],
    [{ SIM_API_KEYS: ' , ' }, 'SIM_API_KEYS'],
    [{ SIM_CONTROL_KEY: '' }, 'SIM_CONTROL_KEY'],
    [{ SIM_WEBHOOK_URL: 'http://x/h' }, 'SIM_WEBHOOK_SECRET'],
    [{ SIM_WEBHOOK_URL: 'http://x/h', SIM_WEBHOOK_SECRET: 'not-a-secret' }, 'SIM_WEBHOOK_SECRET'],
    [{ SIM_RATE_LIMIT_BURST: '5' }, 'SIM_RATE_LIMIT_BURST'],
    [{ SIM_WEBHOOK_URL: 'http://x/h', SIM_WEBHOOK_SECRET: WEBHOOK_SECRET, SIM_WEBHOOK_EVENTS: ' , ' }, 'SIM_WEBHOOK_EVENTS'],
    [{ SIM_WEBHOOK_URL: 'http://x/h', SIM_WEBHOOK_SECRET: WEBHOOK_SECRET, SIM_WEBHOOK_EVENTS: 'item.updated,created' }, 'SIM_WEBHOOK_EVENTS'],
    [{ SIM_WEBHOOK_URL: 'http://x/h', SIM_WEBHOOK_SECRET: WEBHOOK_SECRET, SIM_WEBHOOK_EVENTS: 'Item.Updated' }, 'SIM_WEBHOOK_EVENTS'],
    [{ SIM_WEBHOOK_EVENTS: 'item.updated' }, 'SIM_WEBHOOK_EVENTS'],
  ])('rejects %j naming %s', (override, variable) => {
    let error: unknown;
    try {
      optionsFromEnv({ ...base, ...override });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(z.ZodError);
    expect(z.prettifyError(error as z.ZodError)).toContain(variable);
  });
});

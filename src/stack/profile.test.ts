import { stackProfile } from './profile';

describe('stack profiles', () => {
  test('the known profiles keep their ports apart and below the ephemeral range', () => {
    const all = ['dev', 'test', 'bench'].map((name) => Object.values(stackProfile(name, {}).ports)).flat();
    expect(new Set(all).size).toBe(all.length);
    expect(Math.max(...all)).toBeLessThan(32768);
  });

  test('another profile needs an offset that stays below the ephemeral range', () => {
    expect(stackProfile('mine', { HUB_PORT_OFFSET: '13000' }).ports.bridge).toBe(16000);
    expect(() => stackProfile('mine', {})).toThrow(/needs HUB_PORT_OFFSET/);
    expect(() => stackProfile('mine', { HUB_PORT_OFFSET: '30000' })).toThrow(/up to 23000/);
  });

  test('each checkout gets its own Medusa database', () => {
    expect(stackProfile('test', {}).medusaDatabase).toMatch(/^hub_medusa_test_[0-9a-f]{8}$/);
    expect(stackProfile('second-run', { HUB_PORT_OFFSET: '13000' }).medusaDatabase).toMatch(/^hub_medusa_second_run_[0-9a-f]{8}$/);
  });
});

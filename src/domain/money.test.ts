import { fromMinorUnits, toMinorUnits } from './money';

describe('amounts between Medusa (major units) and the ERP (minor units)', () => {
  test('two-decimal currencies are multiplied by 100, and back', () => {
    expect(toMinorUnits({ amount: 19.99, currency_code: 'eur' })).toEqual({ amount: 1999, currency_code: 'eur' });
    expect(fromMinorUnits({ amount: 1999, currency_code: 'eur' })).toEqual({ amount: 19.99, currency_code: 'eur' });
  });

  test('floating-point noise is rounded away, not truncated', () => {
    expect(toMinorUnits({ amount: 0.29, currency_code: 'usd' }).amount).toBe(29);
  });

  test('zero-decimal currencies keep whole units', () => {
    expect(toMinorUnits({ amount: 1500, currency_code: 'JPY' })).toEqual({ amount: 1500, currency_code: 'JPY' });
    expect(fromMinorUnits({ amount: 1500, currency_code: 'jpy' }).amount).toBe(1500);
  });
});

/**
 * Medusa v2 keeps amounts in major units (19.99 EUR is 19.99); the ERP, like most back-office
 * APIs, keeps integers in minor units (1999). Every amount crosses between them here, so a
 * price keeps its value whichever way it travels.
 */
export interface Money {
  amount: number;
  currency_code: string;
}

/** ISO 4217 currencies without minor units: their ERP integers are whole units. */
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'isk', 'jpy', 'kmf', 'krw', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

const factor = (currency: string): number => (ZERO_DECIMAL.has(currency.toLowerCase()) ? 1 : 100);

export function toMinorUnits(money: Money): Money {
  return { amount: Math.round(money.amount * factor(money.currency_code)), currency_code: money.currency_code };
}

export function fromMinorUnits(money: Money): Money {
  return { amount: money.amount / factor(money.currency_code), currency_code: money.currency_code };
}

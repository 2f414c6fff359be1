import { fromMinorUnits, toMinorUnits } from '../../domain/money';
import { decimal } from './rpc';

/**
 * The one place a port amount (an integer in minor units, 1999) meets a Tryton Decimal
 * ("19.99"), both ways through domain/money.ts so a currency without minor units (JPY) is
 * handled as everywhere else in the hub. A Decimal with more digits than the currency has
 * (Tryton keeps list prices to 4 places, 19.9950) rounds to the nearest minor unit.
 */
export function decimalFromMinor(amount: number, currencyCode: string): ReturnType<typeof decimal> {
  // String() of n/100 is the shortest decimal that reads back as that double: "19.99", never
  // "19.990000000000002", so the Decimal is exactly the amount meant.
  return decimal(String(fromMinorUnits({ amount, currency_code: currencyCode }).amount));
}

export function minorFromDecimal(value: string, currencyCode: string): number {
  return toMinorUnits({ amount: Number(value), currency_code: currencyCode }).amount;
}

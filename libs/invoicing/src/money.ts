/** Integer arithmetic for money: amounts in cents, prices in 1e-5 € per unit, so that no float rounds a cent. */

/** n / d rounded half up, for n >= 0 and d > 0 (integers). */
export function divideRounded(n: number, d: number): number {
  return Math.floor((2 * n + d) / (2 * d));
}

/** A price in €/unit as an integer of 1e-5 € (prices carry at most 5 decimals). */
export function priceUnits(eur: number): number {
  return Math.round(eur * 1e5);
}

/** The amount of `wh` Wh at `eurPerKWh`, in cents, rounded half up: wh/1000 kWh x price. */
export function energyCents(wh: number, eurPerKWh: number): number {
  // cents = wh * price[1e-5 €/kWh] * 100 / (1000 * 1e5)
  return divideRounded(wh * priceUnits(eurPerKWh), 1_000_000);
}

/** `pct` % of `cents`, rounded half up (rates with at most 2 decimals). */
export function percentCents(cents: number, pct: number): number {
  return divideRounded(cents * Math.round(pct * 100), 10_000);
}

/** 1234567 -> "12 345,67 €" (French). */
export function formatEur(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const euros = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  return `${sign}${euros},${String(abs % 100).padStart(2, '0')} €`;
}

/** 12345 Wh -> "12,345" (kWh, French). */
export function formatKWh(wh: number): string {
  return (wh / 1000).toFixed(3).replace('.', ',');
}

/** "123.45" for XML (cents as a decimal amount). */
export function decimalAmount(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** 2026-12-05 -> 05/12/2026. */
export function frenchDate(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

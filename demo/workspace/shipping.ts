// This file has a real mistake: a misspelled name (the red squiggle below). Put the cursor on it, press Ctrl+.
// and choose "Fix with Spark Edit": the fix is proposed as an inline diff you accept or reject.
import { Order, total } from './orders';

const FREE_SHIPPING_FROM = 50;

export function shippingCost(order: Order): number {
  const subtotal = total(order);
  if (subtotl >= FREE_SHIPPING_FROM) return 0;
  return 4.99;
}

// Try Spark Edit: select a function and press Ctrl+I, then type an instruction such as
//   "add doc comments", "use const", "rename total to orderTotal", "add error handling".
// Accept or reject each change with the CodeLens above it, or all at once (Ctrl+Enter / Ctrl+Backspace).

export interface Order { id: string; items: { price: number; qty: number }[]; coupon?: string }

export function total(order: Order) {
  var sum = 0;
  for (var i = 0; i < order.items.length; i++) {
    sum += order.items[i].price * order.items[i].qty;
  }
  return sum;
}

export function applyCoupon(order: Order, amount: number) {
  if (order.coupon === 'HALF') return amount / 2;
  if (order.coupon === 'TENOFF') return Math.max(0, amount - 10);
  return amount;
}

export async function loadOrders(url: string) {
  var res = await fetch(url);
  var data = await res.json();
  return data as Order[];
}

// Try Spark Edit: select a function and press Ctrl+I, then type an instruction such as
//   "add doc comments", "use const", "rename sum to subtotal", "add error handling".
// Accept or reject each change with its ✓ / ✗ (Ctrl+click), or all at once (Ctrl+Enter / Ctrl+Backspace).
// Select saveOrder and run "Spark Edit: Convert to async/await", or select total and run "Spark Edit: Add Tests".

export interface Order { id: string; items: { price: number; qty: number }[]; coupon?: string }

export function total(order: Order): number {
  var sum = 0;
  for (var i = 0; i < order.items.length; i++) {
    sum += order.items[i].price * order.items[i].qty;
  }
  return sum;
}

export function applyCoupon(order: Order, amount: number): number {
  if (order.coupon === 'HALF') return amount / 2;
  if (order.coupon === 'TENOFF') return Math.max(0, amount - 10);
  return amount;
}

export async function loadOrders(url: string) {
  var res = await fetch(url);
  var data = await res.json();
  return data as Order[];
}

export function saveOrder(url: string, order: Order): Promise<boolean> {
  return fetch(url, { method: 'POST', body: JSON.stringify(order) })
    .then((res) => res.ok)
    .catch((err) => {
      console.error('could not save the order', err);
      return false;
    });
}

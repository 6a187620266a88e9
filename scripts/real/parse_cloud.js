// The cloud code parse.sh starts Parse Server with (`--cloud`): what a team's app puts beside its data, the
// functions its clients call by name (`/functions/<name>`), a job (`/jobs/<name>`), and the triggers that
// refuse bad writes (a review's rating out of range, an order with no lines) with the errors clients see.
'use strict';

Parse.Cloud.define('averageRating', async (req) => {
  const q = new Parse.Query('Review');
  q.equalTo('product', { __type: 'Pointer', className: 'Product', objectId: req.params.productId });
  const reviews = await q.find({ useMasterKey: true });
  if (!reviews.length) return { productId: req.params.productId, count: 0, average: null };
  const sum = reviews.reduce((s, r) => s + r.get('rating'), 0);
  return { productId: req.params.productId, count: reviews.length, average: sum / reviews.length };
});

Parse.Cloud.define('checkoutQuote', async (req) => {
  const lines = req.params.lines || [];
  if (!lines.length) throw new Parse.Error(Parse.Error.VALIDATION_ERROR, 'a quote needs at least one line');
  const subtotal = lines.reduce((s, l) => s + (l.qty || 1) * (l.unitPrice || 0), 0);
  const tax = Math.round(subtotal * 0.2 * 100) / 100;
  return { currency: req.params.currency || 'EUR', subtotal, tax, total: subtotal + tax, lines: lines.length };
});

Parse.Cloud.define('whoami', (req) => (req.user ? { id: req.user.id, username: req.user.get('username') } : null));

Parse.Cloud.define('searchCatalog', async (req) => {
  const q = new Parse.Query('Product');
  if (req.params.term) q.matches('title', req.params.term, 'i');
  if (req.params.tags) q.containedIn('tags', req.params.tags);
  q.limit(req.params.limit || 10);
  const found = await q.find({ useMasterKey: true });
  return found.map((p) => ({ id: p.id, title: p.get('title'), price: p.get('price') }));
}, { fields: { limit: { type: Number, required: false } } });

Parse.Cloud.beforeSave('Review', (req) => {
  const rating = req.object.get('rating');
  if (typeof rating !== 'number' || rating < 1 || rating > 5) {
    throw new Parse.Error(Parse.Error.VALIDATION_ERROR, 'rating must be between 1 and 5');
  }
});

Parse.Cloud.beforeSave('Order', (req) => {
  const lines = req.object.get('lines');
  if (req.object.isNew() && (!Array.isArray(lines) || !lines.length)) throw 'an order needs lines';
});

Parse.Cloud.afterSave('Order', async (req) => {
  if (req.object.get('status') === 'paid' && !req.object.get('paidAt')) {
    req.object.set('paidAt', new Date());
    await req.object.save(null, { useMasterKey: true });
  }
});

Parse.Cloud.job('nightlyCleanup', async (req) => {
  req.message('looking for abandoned carts');
  const q = new Parse.Query('Order');
  q.equalTo('status', 'cart');
  return { abandoned: await q.count({ useMasterKey: true }), olderThanDays: req.params.olderThanDays || 7 };
});

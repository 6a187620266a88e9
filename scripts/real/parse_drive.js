// Drive a Parse Server through Parse's own JavaScript SDK (`parse/node`), as a team's web app and its admin
// scripts call it, and through its REST API as the team's mobile app does (real HTTP methods, X-Parse-*
// headers).
//
//     node parse_drive.js SERVER_URL APP_ID JS_KEY MASTER_KEY REST_KEY --seed N [--rounds R] [--max-seconds S]
//
// Run by parse.sh with the node_modules it installed (NODE_PATH). The Node twin of workload.py (the same
// arguments, a seeded PRNG, the same weighted loop), as unleash_drive.js is. The JS SDK sends every call as
// a POST whose text/plain JSON body carries the real method (`_method`), the application id, the session
// token and the query (`where`, `limit`, `order`, ...): that is how a Parse web app talks to its server.
// A shop's data model, classes the team named (`Product`, `Store`, `Review`, `Order`, `BlogPost`,
// `Wishlist_Item`) with objectIds in every object path; products' `attributes` and stores' `openingHours`
// are maps keyed by what each merchant picks; users under handles people choose, roles, sessions, cloud
// functions and a job the app defines (parse_cloud.js), config, schemas, aggregates, files,
// installations; and the errors people hit (a username taken, a wrong password, someone else's order, a
// rating or an order a trigger refuses, a function the app does not define, a class name Parse refuses, a
// session token that is no more).
'use strict';

const Parse = require('parse/node');
const { args, prng, run } = require('./drive');

const a = args(process.argv.slice(2), 'parse_drive.js', ['appId', 'jsKey', 'masterKey', 'restKey'], 1000);
const r = prng(a.seed);
const BASE = a.url.replace(/\/$/, '');
Parse.initialize(a.appId, a.jsKey, a.masterKey);
Parse.serverURL = BASE;
// A web app has a current user (become, logOut); Node's SDK keeps one only when told to.
Parse.User.enableUnsafeCurrentUser();
const M = { useMasterKey: true };

const PEOPLE = ['alice.martin', 'bob_k', 'carol-nguyen', 'dave.ops', 'erin', 'frank.li', 'grace_h', 'heidi.schmidt',
  'ivan.petrov', 'judy-w'];
const STORES = [['Downtown Flagship', 'Lyon', 45.76, 4.83], ['Harbour Outlet', 'Marseille', 43.29, 5.37],
  ['Airport Kiosk', 'Nice', 43.66, 7.21], ['Old Town', 'Strasbourg', 48.58, 7.75], ['Online Warehouse', 'Lille', 50.63, 3.06]];
const TITLES = ['Linen Shirt', 'Trail Runner GTX', 'Espresso Grinder', 'Wool Beanie', 'Desk Lamp LED', 'Yoga Mat Pro',
  'Cast Iron Skillet', 'Noise-cancelling Headphones', 'Ceramic Mug 350ml', 'Rain Jacket', 'Smart Plug', 'Chef Knife 20cm'];
const TAGS = ['summer', 'sale', 'new', 'eco', 'bestseller', 'kitchen', 'outdoor', 'gift-idea', 'limited'];
// Product attributes: keys each merchant picks for its catalogue.
const ATTRS = { color: ['navy', 'sand', 'black', 'olive'], size: ['S', 'M', 'L', 'XL', '42', '44'], material: ['linen', 'wool',
  'steel', 'cotton'], weight_kg: [0.2, 0.45, 1.3, 2.8], 'voltage (V)': [110, 230], capacityMl: [250, 350, 500],
  'care-instructions': ['30°C wash', 'hand wash only'], warrantyYears: [1, 2, 5], origin: ['PT', 'FR', 'VN', 'DE'] };
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const ROLES = ['Administrators', 'Moderators', 'store-managers', 'support_L2'];
const POSTS = ['Spring lookbook', 'How we source linen', 'Five skillet recipes', 'Store opening in Nice', 'Care guide: wool'];

const state = { users: new Map(), products: [], stores: [], reviews: [], orders: [], posts: [], comments: [], wish: [],
  roles: new Map(), files: [], extraFields: [] };

const sess = (name) => ({ sessionToken: state.users.get(name).token });
const someUser = () => r.choice([...state.users.keys()]);
const pick = (xs) => (xs.length ? r.choice(xs) : null);
const drop = (xs, x) => { const i = xs.indexOf(x); if (i >= 0) xs.splice(i, 1); };
const pointer = (cls, id) => ({ __type: 'Pointer', className: cls, objectId: id });
// An object by class and id, unfetched (the SDK's createWithoutData is a subclass's static).
const ref = (cls, id) => (cls === '_User' ? Parse.User : cls === '_Role' ? Parse.Role : Parse.Object.extend(cls)).createWithoutData(id);
// A user's session token; one who logged out is logged in again first.
async function tokenOf(name) {
  if (!state.users.has(name)) {
    const u = await Parse.User.logIn(name, `pw-${name}-42`);
    state.users.set(name, { id: u.id, token: u.getSessionToken() });
  }
  return state.users.get(name).token;
}

function attributes() {
  const out = {};
  for (const k of r.sample(Object.keys(ATTRS), r.int(1, 4))) out[k] = r.choice(ATTRS[k]);
  return out;
}

// The mobile app: the REST API with real methods and Parse's headers.
async function rest(method, path, body, token) {
  const headers = { 'X-Parse-Application-Id': a.appId, 'X-Parse-REST-API-Key': a.restKey, Accept: 'application/json' };
  if (token) headers['X-Parse-Session-Token'] = token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  try { return { status: res.status, data: JSON.parse(text) }; } catch { return { status: res.status, data: text }; }
}

// -- setup: the schema the team defined in the dashboard, stores, users, roles, a catalogue --------------
async function setup() {
  const defs = {
    Store: (s) => s.addString('name').addString('city').addGeoPoint('location').addObject('openingHours').addBoolean('active'),
    Product: (s) => s.addString('title').addString('sku').addNumber('price').addArray('tags').addObject('attributes')
      .addPointer('store', 'Store').addNumber('stock').addBoolean('published').addFile('image'),
    Review: (s) => s.addPointer('product', 'Product').addPointer('author', '_User').addNumber('rating').addString('body'),
    Order: (s) => s.addPointer('customer', '_User').addArray('lines').addString('status').addNumber('total').addObject('shipping')
      .addDate('paidAt'),
    BlogPost: (s) => s.addString('title').addString('slug').addString('body').addDate('publishedAt').addNumber('likes')
      .addRelation('related', 'Product'),
    Comment: (s) => s.addPointer('post', 'BlogPost').addPointer('author', '_User').addString('text'),
    Wishlist_Item: (s) => s.addPointer('owner', '_User').addPointer('product', 'Product').addString('note'),
  };
  for (const [cls, add] of Object.entries(defs)) {
    const schema = new Parse.Schema(cls);
    add(schema);
    await schema.save().catch((e) => console.error(`schema ${cls}: ${e.message}`));
  }
  await new Parse.Schema('_User').addString('displayName').addObject('preferences').update().catch(() => {});
  for (const [name, city, lat, lng] of STORES) {
    const hours = {};
    for (const d of r.sample(DAYS, r.int(4, 7))) hours[d] = r.choice(['09:00-19:00', '10:00-18:00', '08:30-20:00', 'closed']);
    const s = await new Parse.Object('Store').save({ name, city, location: new Parse.GeoPoint(lat, lng), openingHours: hours, active: true }, M);
    state.stores.push(s.id);
  }
  for (const name of r.sample(PEOPLE, 6)) await signUp(name);
  for (const name of ROLES.slice(0, 2)) await createRole(name);
  for (let i = 0; i < 8; i++) await createProduct();
}

async function signUp(name = r.choice(PEOPLE)) {
  const user = new Parse.User();
  const email = `${name.replace(/[^a-z]/g, '')}@shop.example`;
  const u = await user.signUp({ username: name, password: `pw-${name}-42`, email, displayName: name.split(/[._-]/)[0],
    preferences: { newsletter: r.next() < 0.5, locale: r.choice(['fr-FR', 'en-GB', 'de-DE']) } }); // a name taken: 202
  state.users.set(name, { id: u.id, token: u.getSessionToken() });
}

async function createRole(name = r.choice(ROLES)) {
  const acl = new Parse.ACL();
  acl.setPublicReadAccess(true);
  const role = await new Parse.Role(name, acl).save(null, M); // a name taken: 137
  state.roles.set(name, role.id);
}

async function createProduct() {
  const p = new Parse.Object('Product');
  const title = r.choice(TITLES);
  const fields = { title, sku: `${title.slice(0, 3).toUpperCase()}-${r.int(100, 999)}`, price: r.choice([9.9, 24.5, 59, 129, 249.99]),
    tags: r.sample(TAGS, r.int(0, 3)), attributes: attributes(), stock: r.int(0, 80), published: r.next() < 0.7 };
  if (state.stores.length) fields.store = pointer('Store', r.choice(state.stores));
  const acl = new Parse.ACL();
  acl.setPublicReadAccess(true);
  acl.setPublicWriteAccess(true);
  p.setACL(acl);
  const opts = state.users.size ? sess(someUser()) : M;
  await p.save(fields, opts);
  state.products.push(p.id);
}

// -- the web app through the SDK -------------------------------------------------------------------
async function updateProduct() {
  const p = ref('Product', pick(state.products) || 'xxxxxxxxxx');
  const k = r.int(0, 4);
  if (k === 0) p.increment('stock', r.choice([-1, -2, 5, 10]));
  else if (k === 1) p.addUnique('tags', r.choice(TAGS));
  else if (k === 2) p.set('attributes', attributes());
  else if (k === 3) p.set('price', r.choice([19.9, 44, 99, 199]));
  else p.remove('tags', r.choice(TAGS));
  await p.save(null, r.next() < 0.5 ? M : sess(someUser()));
}

async function fetchProduct() {
  const id = r.next() < 0.08 ? 'AbCdEf1234' : pick(state.products); // gone: 101
  const q = new Parse.Query('Product');
  if (r.next() < 0.5) q.include('store');
  await q.get(id);
}

async function queryProducts() {
  const q = new Parse.Query('Product');
  const k = r.int(0, 6);
  if (k === 0) q.greaterThanOrEqualTo('price', r.choice([10, 50])).lessThan('price', r.choice([100, 300]));
  else if (k === 1) q.containedIn('tags', r.sample(TAGS, 2));
  else if (k === 2) q.matches('title', r.choice(['shirt', 'lamp', 'mug', 'jacket']), 'i');
  else if (k === 3) q.equalTo(`attributes.${r.choice(['color', 'material', 'origin'])}`, r.choice(['navy', 'linen', 'PT']));
  else if (k === 4 && state.stores.length) q.equalTo('store', pointer('Store', r.choice(state.stores)));
  else if (k === 5) q.exists('image');
  if (r.next() < 0.4) q.descending(r.choice(['price', 'createdAt', 'stock'])); else q.ascending('title');
  q.limit(r.choice([5, 10, 20, 100]));
  if (r.next() < 0.3) q.skip(r.choice([5, 10]));
  if (r.next() < 0.3) q.select('title', 'price', 'tags');
  if (r.next() < 0.3) q.include('store');
  if (r.next() < 0.2) await q.count(); else if (r.next() < 0.2) await q.first(); else await q.find();
}

// Stores by city or opening day (near-by queries want PostGIS, which the recipe's PostgreSQL has not).
async function findStores() {
  const q = new Parse.Query('Store');
  if (r.next() < 0.5) q.equalTo('city', r.choice(STORES)[1]); else q.exists(`openingHours.${r.choice(DAYS)}`);
  if (r.next() < 0.5) q.equalTo('active', true);
  await q.find();
}

async function deleteProduct() {
  const id = pick(state.products);
  if (!id) return;
  drop(state.products, id);
  await ref('Product', id).destroy(M);
}

async function writeReview() {
  const name = someUser();
  const rating = r.next() < 0.1 ? r.choice([0, 7]) : r.int(1, 5); // the trigger refuses: 142
  const rev = await new Parse.Object('Review').save({ product: pointer('Product', pick(state.products) || 'AbCdEf1234'),
    author: pointer('_User', state.users.get(name).id), rating, body: r.choice(['Great quality', 'Runs small', 'Arrived late but fine', '']) },
  sess(name));
  state.reviews.push(rev.id);
}

async function readReviews() {
  const q = new Parse.Query('Review');
  q.equalTo('product', pointer('Product', pick(state.products) || 'AbCdEf1234'));
  q.include('author');
  q.descending('createdAt');
  await q.find(sess(someUser()));
  if (r.next() < 0.5) await Parse.Cloud.run('averageRating', { productId: pick(state.products) || 'AbCdEf1234' });
}

async function placeOrder() {
  const name = someUser();
  const lines = r.next() < 0.08 ? [] : r.sample(state.products, r.int(1, 3)).map((id) => ({ productId: id, qty: r.int(1, 3), unitPrice: r.choice([9.9, 24.5, 59]) }));
  const o = new Parse.Object('Order');
  const acl = new Parse.ACL();
  acl.setReadAccess(state.users.get(name).id, true);
  acl.setWriteAccess(state.users.get(name).id, true);
  o.setACL(acl);
  await o.save({ customer: pointer('_User', state.users.get(name).id), lines, status: 'cart',
    total: lines.reduce((s, l) => s + l.qty * l.unitPrice, 0), shipping: { method: r.choice(['standard', 'express', 'pickup']),
      address: { line1: `${r.int(1, 90)} rue de la Paix`, city: r.choice(STORES)[1], postcode: String(r.int(10000, 99999)) } } }, sess(name));
  state.orders.push([o.id, name]);
}

async function advanceOrder() {
  const got = pick(state.orders);
  if (!got) return;
  const [id, name] = got;
  const token = await tokenOf(name);
  const o = ref('Order', id);
  o.set('status', r.choice(['paid', 'shipped', 'delivered', 'cancelled']));
  await o.save(null, r.next() < 0.85 ? { sessionToken: token } : sess(someUser())); // someone else's order: 101
  if (r.next() < 0.3) await new Parse.Query('Order').equalTo('customer', pointer('_User', state.users.get(name).id)).find({ sessionToken: token });
}

async function blog() {
  const k = r.int(0, 3);
  if (k === 0 || !state.posts.length) {
    const title = r.choice(POSTS);
    const p = await new Parse.Object('BlogPost').save({ title, slug: title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      body: 'Lorem ipsum '.repeat(r.int(3, 12)), likes: 0, publishedAt: r.next() < 0.6 ? new Date(2026, r.int(0, 11), r.int(1, 28)) : undefined }, M);
    state.posts.push(p.id);
  } else if (k === 1) {
    const post = ref('BlogPost', r.choice(state.posts));
    post.increment('likes');
    if (r.next() < 0.4 && state.products.length) post.relation('related').add(ref('Product', r.choice(state.products)));
    await post.save(null, M);
  } else if (k === 2) {
    const name = someUser();
    const c = await new Parse.Object('Comment').save({ post: pointer('BlogPost', r.choice(state.posts)), author: pointer('_User', state.users.get(name).id),
      text: r.choice(['Love this!', 'Where can I buy it?', 'Great read', 'Is it machine washable?']) }, sess(name));
    state.comments.push(c.id);
  } else {
    const q = new Parse.Query('Comment').equalTo('post', pointer('BlogPost', r.choice(state.posts))).include('author').limit(20);
    await q.find();
    const post = ref('BlogPost', r.choice(state.posts));
    await post.relation('related').query().find();
  }
}

async function wishlist() {
  const name = someUser();
  if (r.next() < 0.6 || !state.wish.length) { // saveAll: one /batch
    const items = r.sample(state.products, r.int(1, 4)).map((id) => new Parse.Object('Wishlist_Item', { owner: pointer('_User', state.users.get(name).id),
      product: pointer('Product', id), note: r.choice(['for the birthday', '', 'wait for sale']) }));
    await Parse.Object.saveAll(items, sess(name));
    for (const it of items) state.wish.push(it.id);
  } else {
    const ids = state.wish.splice(0, r.int(1, 3));
    await Parse.Object.destroyAll(ids.map((id) => ref('Wishlist_Item', id)), M);
  }
}

async function account() {
  const k = r.int(0, 5);
  const name = r.choice(PEOPLE);
  if (k === 0) await signUp(name);
  else if (k === 1) {
    const pw = r.next() < 0.15 ? 'wrong-password' : `pw-${name}-42`; // 101
    const u = await Parse.User.logIn(name, pw);
    state.users.set(name, { id: u.id, token: u.getSessionToken() });
  } else if (k === 2 && state.users.size) await Parse.User.become(state.users.get(someUser()).token);
  else if (k === 3 && state.users.size) {
    const who = someUser();
    const u = ref('_User', state.users.get(who).id);
    await u.save({ preferences: { newsletter: r.next() < 0.5, theme: r.choice(['dark', 'light']), 'shoe size': r.choice(['42', '44']) } }, sess(who));
  } else if (k === 4 && state.users.size > 3) {
    const who = someUser();
    await Parse.User.become(state.users.get(who).token); // the SDK logs out its current user
    await Parse.User.logOut();
    state.users.delete(who);
  } else if (r.next() < 0.25) { // no email adapter: a 500, which the SDK retries
    await Parse.User.requestPasswordReset(`${name.replace(/[^a-z]/g, '')}@shop.example`);
  } else if (state.users.size) {
    await Parse.User.become(state.users.get(someUser()).token);
    await Parse.Session.current();
  }
}

async function admin() {
  const k = r.int(0, 9);
  if (k === 0) await Parse.Config.get();
  else if (k === 1) await Parse.Config.save({ bannerText: r.choice(['Summer sale!', 'Free shipping over 50€']), promoCode: r.choice(['SUMMER26', 'WELCOME10']),
    maxCartItems: r.choice([20, 50]), featuredStores: r.sample(STORES.map((s) => s[0]), 2) });
  else if (k === 2) await Parse.Schema.all();
  else if (k === 3) await new Parse.Schema(r.choice(['Product', 'Order', 'Review', 'BlogPost', 'Store'])).get();
  else if (k === 4) {
    const field = r.choice(['giftWrap', 'ecoScore', 'barcode', 'supplier_ref']);
    const s = new Parse.Schema('Product');
    if (state.extraFields.includes(field)) { s.deleteField(field); drop(state.extraFields, field); } else {
      if (field === 'ecoScore') s.addNumber(field); else if (field === 'giftWrap') s.addBoolean(field); else s.addString(field);
      state.extraFields.push(field);
    }
    await s.update();
  } else if (k === 5) await new Parse.Schema(r.choice(['bad-class name', '2ndClass'])).addString('x').save(); // 103
  else if (k === 6) {
    const pipeline = r.choice([[{ $group: { _id: '$store', count: { $sum: 1 }, avgPrice: { $avg: '$price' } } }],
      [{ $match: { published: true } }, { $sort: { price: -1 } }, { $limit: 5 }], [{ $project: { title: 1, stock: 1 } }]]);
    await new Parse.Query('Product').aggregate(pipeline, M);
  } else if (k === 7) await new Parse.Query(r.choice(['Product', 'Order'])).distinct(r.choice(['status', 'price', 'sku']), M);
  else if (k === 8) {
    const name = r.choice(ROLES);
    if (!state.roles.has(name)) await createRole(name);
    else {
      const role = ref('_Role', state.roles.get(name));
      role.relation('users').add(ref('_User', state.users.get(someUser()).id));
      await role.save(null, M);
      await new Parse.Query('_Role').equalTo('name', name).find();
    }
  } else await new Parse.Query('_Session').find(M);
}

async function cloud() {
  const k = r.int(0, 5);
  if (k === 0) await Parse.Cloud.run('checkoutQuote', { currency: r.choice(['EUR', 'CHF']), lines: r.next() < 0.15 ? [] : [{ qty: 2, unitPrice: 24.5 }, { qty: 1, unitPrice: 9.9 }] });
  else if (k === 1) await Parse.Cloud.run('whoami', {}, sess(someUser()));
  else if (k === 2) await Parse.Cloud.run('searchCatalog', { term: r.choice(['shirt', 'lamp', '']), tags: r.next() < 0.5 ? r.sample(TAGS, 2) : undefined, limit: r.choice([5, 10]) });
  else if (k === 3) await Parse.Cloud.run(r.choice(['sendInvoice', 'recomputeStock']), { orderId: 'x' }); // no such function: 141
  else if (k === 4) {
    const jobId = await Parse.Cloud.startJob('nightlyCleanup', { olderThanDays: r.choice([3, 7, 30]) });
    await Parse.Cloud.getJobStatus(jobId);
  } else await Parse.Cloud.getJobsData();
}

async function files() {
  if (r.next() < 0.7 || !state.files.length) {
    const name = r.choice(['product photo.jpg', 'manual_v2.pdf', 'size-chart.png', 'invoice-2026-11.csv']);
    const f = new Parse.File(name, { base64: Buffer.from(`${name} ${r.int(1, 1e6)}`).toString('base64') });
    await f.save(sess(someUser()));
    state.files.push(f);
    if (r.next() < 0.6 && state.products.length) await ref('Product', r.choice(state.products)).save({ image: f }, M);
  } else await state.files.shift().destroy(M);
}

async function installation() {
  const inst = new Parse.Installation();
  await inst.save({ deviceType: r.choice(['ios', 'android']), deviceToken: `tok${r.int(1e6, 9e6)}`, channels: r.sample(['deals', 'orders', 'news'], r.int(0, 2)),
    appVersion: r.choice(['3.2.0', '3.3.1']), timeZone: 'Europe/Paris', installationId: `1f0e${r.int(1000, 9999)}-aaaa-bbbb-cccc-${r.int(100000000000, 999999999999)}` });
}

// -- the mobile app: REST with real methods ---------------------------------------------------------
async function mobile() {
  const name = someUser();
  const tok = state.users.get(name).token;
  const k = r.int(0, 7);
  if (k === 0) {
    const where = r.choice([{ published: true }, { price: { $lt: 60 } }, { tags: { $in: r.sample(TAGS, 2) } }, { stock: { $gt: 0 } }]);
    const qs = new URLSearchParams({ where: JSON.stringify(where), limit: String(r.choice([10, 25])), order: r.choice(['-createdAt', 'price']) });
    if (r.next() < 0.3) qs.set('count', '1');
    if (r.next() < 0.3) qs.set('keys', 'title,price,image');
    await rest('GET', `/classes/Product?${qs}`, undefined, tok);
  } else if (k === 1) await rest('GET', `/classes/Product/${pick(state.products) || 'AbCdEf1234'}?include=store`, undefined, tok);
  else if (k === 2) await rest('GET', '/users/me', undefined, r.next() < 0.1 ? 'r:invalidsessiontoken' : tok); // 209
  else if (k === 3 && state.orders.length) {
    const [id, owner] = r.choice(state.orders);
    await rest('PUT', `/classes/Order/${id}`, { shipping: { method: 'pickup', store: r.choice(STORES)[0] } }, await tokenOf(owner));
  } else if (k === 4) {
    const got = await rest('POST', '/classes/Wishlist_Item', { owner: pointer('_User', state.users.get(name).id), product: pointer('Product', pick(state.products) || 'AbCdEf1234'), note: 'from the app' }, tok);
    if (got.status === 201) await rest('DELETE', `/classes/Wishlist_Item/${got.data.objectId}`, undefined, tok);
  } else if (k === 5) {
    const requests = r.sample(state.products, r.int(1, 3)).map((id) => ({ method: 'PUT', path: `/parse/classes/Product/${id}`, body: { stock: { __op: 'Increment', amount: -1 } } }));
    await rest('POST', '/batch', { requests }, tok);
  } else if (k === 6) await rest('POST', '/functions/checkoutQuote', { lines: [{ qty: 1, unitPrice: 59 }] }, tok);
  else await rest('GET', r.choice(['/health', '/classes/Store?limit=50', `/classes/Review?where=${encodeURIComponent(JSON.stringify({ rating: { $gte: 4 } }))}`]), undefined, tok);
}

const STEPS = [
  [createProduct, 7], [updateProduct, 8], [fetchProduct, 8], [queryProducts, 12], [findStores, 3], [deleteProduct, 3],
  [writeReview, 6], [readReviews, 6], [placeOrder, 5], [advanceOrder, 5], [blog, 6], [wishlist, 4], [account, 6],
  [admin, 8], [cloud, 6], [files, 3], [installation, 2], [mobile, 14],
];

(async () => {
  await setup();
  await run(STEPS, r, a, (e) => `${e.code ?? e.name}: ${String(e.message).slice(0, 120)}`);
})().catch((e) => { console.error(e); process.exit(1); });

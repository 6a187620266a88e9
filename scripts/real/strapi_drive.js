// Drive a Strapi 5 server with its own client, `@strapi/client`.
//
//     node strapi_drive.js SERVER_URL TOKEN --seed N [--rounds R] [--max-seconds S]
//
// Run by strapi.sh with the node_modules it installed (NODE_PATH); TOKEN is the full-access API token the
// app's bootstrap minted (strapi_app.js). The Node twin of workload.py, as directus_drive.js is. A
// magazine's content team and its site's backend: collection types under the plural names the team chose
// (`/api/articles`, `/api/job-posts`, `/api/newsletter-signups`: documentIds beside them), single types
// (`/api/homepage`), documents created with relations, components and JSON fields whose keys each author
// picks, drafts published, read back with Strapi's bracket queries (`filters[price][$gte]=10`,
// `populate[author][fields][0]=name`, `sort[0]=title:asc`, `pagination[page]=2`, `status=draft`), updated,
// deleted; media uploaded, described and removed; readers signing up and logging in through
// users-permissions (the client's own `fetch`, as the site calls it) and reading with their JWT; and the
// errors people hit (a document gone, a required field left out, a unique value taken, an unknown filter
// operator, a wrong password, a read the reader's role is not allowed).
'use strict';

const { strapi } = require('@strapi/client');
const { args, prng, run } = require('./drive');

const a = args(process.argv.slice(2), 'strapi_drive.js', ['token'], 1100);
const r = prng(a.seed);
const api = `${a.url}/api`;
const client = strapi({ baseURL: api, auth: a.token });
const WORDS = ['alpha', 'bravo', 'delta', 'echo', 'kilo', 'lima', 'oscar', 'tango', 'zulu', 'quartz', 'maple'];
const PEOPLE = ['Alice Moreau', 'Bob Smith', 'Carol Ng', 'Dave Okafor', 'Erin Walsh', 'Frank Li', 'Grace Hopper', 'Heidi Klum'];
const CATEGORIES = ['Travel', 'Food & Drink', 'Tech', 'Science', 'Culture', 'Business', 'Sport', 'Opinion', 'How-to', 'Releases'];
const KINDS = ['news', 'howto', 'opinion', 'release-notes'];
// Keys each author picks for an article's `extra`, each merchant for a product's `specs`.
const EXTRA_KEYS = ['sponsor', 'canonical_url', 'og:image', 'twitter:card', 'reviewedBy', 'series', 'issue no.', 'lang'];
const SPEC_KEYS = ['color', 'weight_kg', 'material', 'voltage (V)', 'Warranty', 'made in', 'dims.cm', 'batteryLife', 'ISBN-13'];
const live = { authors: [], categories: [], articles: [], products: [], events: [], 'job-posts': [], 'newsletter-signups': [] };
const files = [];
const readers = [];

const words = (k) => Array.from({ length: k }, () => r.choice(WORDS)).join(' ');
const pick = (keys, k, value) => Object.fromEntries(r.sample(keys, k).map((key) => [key, value(key)]));
const day = () => `2026-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
const docId = (kind) => r.choice(live[kind]);
const drop = (kind, id) => { live[kind] = live[kind].filter((x) => x !== id); };

function article() {
  const data = {
    title: `${words(3)} ${r.int(1, 999)}`, body: `## ${words(2)}\n\n${'lorem ipsum '.repeat(r.int(2, 20))}`,
    excerpt: words(8), reading_minutes: r.int(1, 25), featured: r.next() < 0.2, kind: r.choice(KINDS),
    extra: pick(EXTRA_KEYS, r.int(0, 3), (k) => (k === 'issue no.' ? r.int(1, 80) : words(2))),
    seo: { meta_title: words(4), meta_description: words(10), no_index: r.next() < 0.1 },
  };
  if (live.authors.length) data.author = docId('authors');
  if (live.categories.length) data.categories = r.sample(live.categories, r.int(1, 3));
  return data;
}

function product() {
  return {
    name: `${r.choice(WORDS)} ${r.choice(['lamp', 'mug', 'backpack', 'charger', 'notebook', 'kettle'])}`,
    sku: `SKU-${r.int(100000, 999999)}`, price: r.int(199, 99999) / 100, in_stock: r.next() < 0.8,
    stock: r.int(0, 400), rating: r.int(0, 50) / 10, released_on: day(),
    specs: pick(SPEC_KEYS, r.int(1, 4), (k) => (k === 'weight_kg' ? r.int(1, 90) / 10 : words(1))),
    variants: Array.from({ length: r.int(0, 3) }, () => ({ label: r.choice(['S', 'M', 'L', 'XL', 'blue', 'red']), sku_suffix: `-${r.int(1, 99)}`, price_delta: r.int(0, 500) / 100 })),
  };
}

function event() {
  return {
    title: `${r.choice(['Meetup', 'Launch party', 'Workshop', 'Reading'])}: ${words(2)}`,
    starts_at: new Date(Date.UTC(2026, r.int(0, 11), r.int(1, 28), r.int(8, 21))).toISOString(),
    doors: `${String(r.int(8, 20)).padStart(2, '0')}:30:00.000`, capacity: r.int(10, 500), online: r.next() < 0.3,
    venue: r.choice(['Main hall', 'Room 2.14', 'Rooftop', 'online']), ticket_price: r.int(0, 9000) / 100,
  };
}

function jobPost() {
  return {
    role: r.choice(['Staff Writer', 'Photo Editor', 'Backend Engineer', 'Ad Sales Lead', 'Copy Editor']),
    team: r.choice(['editorial', 'engineering', 'sales', 'design']), remote: r.next() < 0.5,
    salary_max: r.int(40, 180) * 1000, perks: pick(['gym', 'lunch', 'equity', 'four-day week', 'home office'], r.int(0, 3), () => true),
    description: [{ type: 'paragraph', children: [{ type: 'text', text: words(12) }] }],
  };
}

const MAKE = { authors: () => ({ name: r.choice(PEOPLE), email: `${r.choice(['alice', 'bob', 'carol', 'dave'])}.${r.int(1, 999)}@mag.test`, bio: words(12), socials: pick(['twitter', 'mastodon', 'linkedin', 'github', 'site'], r.int(0, 3), (k) => `${k}/${r.choice(WORDS)}`) }),
  categories: () => ({ name: `${r.choice(CATEGORIES)} ${r.int(1, 9999)}`, description: words(6) }),
  articles: article, products: product, events: event, 'job-posts': jobPost,
  'newsletter-signups': () => ({ email: `reader${r.int(1, 99999)}@mail.test`, source: r.choice(['footer', 'popup', 'article', 'event']), consent: true }),
};
const DRAFTS = new Set(['articles', 'products', 'job-posts']);

async function create(kind) {
  const params = DRAFTS.has(kind) && r.next() < 0.6 ? { status: 'published' } : {};
  const made = await client.collection(kind).create(MAKE[kind](), params);
  live[kind].push(made.data.documentId);
}

// Strapi's bracket queries, as a site's listing pages and search ask them.
function query(kind) {
  const q = { pagination: r.next() < 0.5 ? { page: r.int(1, 3), pageSize: r.choice([5, 10, 25]) } : { start: r.int(0, 10), limit: r.int(1, 20) } };
  const filters = {
    articles: () => r.choice([{ title: { $containsi: r.choice(WORDS) } }, { kind: { $eq: r.choice(KINDS) } }, { featured: { $eq: true } },
      { reading_minutes: { $between: [2, r.int(5, 20)] } }, { author: { name: { $startsWith: r.choice(PEOPLE).slice(0, 3) } } },
      { $or: [{ kind: { $eq: 'news' } }, { featured: { $eq: true } }] }, { categories: { name: { $in: r.sample(CATEGORIES, 2) } } }]),
    products: () => r.choice([{ price: { $gte: r.int(1, 300) } }, { in_stock: { $eq: true }, stock: { $lt: r.int(10, 200) } },
      { name: { $contains: r.choice(['lamp', 'mug', 'kettle']) } }, { released_on: { $gt: day() } }, { rating: { $notNull: true } }]),
    events: () => r.choice([{ starts_at: { $gte: '2026-06-01T00:00:00.000Z' } }, { online: { $eq: r.next() < 0.5 } }, { capacity: { $lte: r.int(50, 400) } }]),
  }[kind];
  if (filters && r.next() < 0.8) q.filters = filters();
  if (r.next() < 0.5) q.sort = r.sample({ articles: ['title:asc', 'createdAt:desc', 'reading_minutes'], products: ['price:desc', 'name', 'stock:asc'], events: ['starts_at:asc', 'capacity:desc'] }[kind] || ['createdAt:desc'], r.int(1, 2));
  if (kind === 'articles' && r.next() < 0.6) q.populate = r.choice(['*', ['author', 'categories'], { author: { fields: ['name', 'email'] }, seo: true }, { categories: { fields: ['name'] }, cover: true }]);
  if (kind === 'products' && r.next() < 0.4) q.populate = ['variants'];
  if (r.next() < 0.3) q.fields = r.sample({ articles: ['title', 'slug', 'kind', 'reading_minutes'], products: ['name', 'sku', 'price'], events: ['title', 'starts_at'] }[kind] || ['createdAt'], 2);
  if (DRAFTS.has(kind) && r.next() < 0.3) q.status = r.choice(['draft', 'published']);
  return q;
}

const find = (kind) => client.collection(kind).find(query(kind));
async function findOne(kind) {
  if (!live[kind].length) return create(kind);
  const params = kind === 'articles' && r.next() < 0.5 ? { populate: r.choice(['*', ['author', 'seo']]) } : {};
  return client.collection(kind).findOne(docId(kind), params);
}

async function update(kind) {
  if (!live[kind].length) return create(kind);
  const full = MAKE[kind]();
  const keys = r.sample(Object.keys(full).filter((k) => !['author', 'categories', 'sku', 'email'].includes(k)), r.int(1, 3));
  const params = DRAFTS.has(kind) && r.next() < 0.4 ? { status: 'published' } : {};
  return client.collection(kind).update(docId(kind), Object.fromEntries(keys.map((k) => [k, full[k]])), params);
}

async function remove(kind) {
  if (live[kind].length < 3) return create(kind);
  const id = docId(kind);
  drop(kind, id);
  return client.collection(kind).delete(id);
}

async function singles() {
  if (r.next() < 0.5) {
    const home = client.single('homepage');
    if (r.next() < 0.5) return home.find(r.next() < 0.5 ? { populate: '*' } : { status: 'draft' });
    return home.update({ hero_title: words(4), hero_text: words(15), blocks: [{ type: r.choice(['hero', 'grid', 'quote']), [r.choice(['title', 'items', 'cite'])]: words(2) }], seo: { meta_title: words(3) } }, r.next() < 0.5 ? { status: 'published' } : {});
  }
  const site = client.single('site-setting');
  if (r.next() < 0.5) return site.find({ populate: ['links'] });
  return site.update({ site_name: `The ${r.choice(WORDS)} Review`, maintenance: r.next() < 0.1, contact_email: 'desk@mag.test', links: [{ label: r.choice(['About', 'Jobs', 'Imprint']), url: `/${r.choice(WORDS)}` }] });
}

async function media() {
  const x = r.next();
  if (x < 0.35 || !files.length) {
    const name = `${r.choice(['cover', 'portrait', 'press-kit', 'chart'])}-${r.int(1, 999)}`;
    const [ext, mimetype, body] = r.next() < 0.5 ? ['txt', 'text/plain', Buffer.from(words(20))] : ['json', 'application/json', Buffer.from(JSON.stringify({ [r.choice(WORDS)]: r.int(1, 9) }))];
    const up = await client.files.upload(body, { filename: `${name}.${ext}`, mimetype, fileInfo: { alternativeText: words(3), caption: words(4) } });
    for (const f of up) files.push(f.id);
    return up;
  }
  if (x < 0.6) return client.files.find(r.next() < 0.5 ? { filters: { mime: { $contains: r.choice(['text', 'json']) } }, sort: 'createdAt:desc' } : {});
  if (x < 0.75) return client.files.findOne(r.choice(files));
  if (x < 0.9) return client.files.update(r.choice(files), { name: `${words(2)}.txt`, alternativeText: words(3), caption: words(5) });
  const id = r.choice(files);
  files.splice(files.indexOf(id), 1);
  return client.files.delete(id);
}

// users-permissions as the site calls it: the client's own fetch, JSON bodies, then the reader's JWT.
async function json(path, init = {}, as = client) {
  const res = await as.fetch(path, { ...init, headers: { 'Content-Type': 'application/json', ...(init.headers || {}) } });
  return res.json();
}
async function reader() {
  const x = r.next();
  if (x < 0.3 || !readers.length) {
    const handle = `${r.choice(['anna', 'ben', 'chloe', 'dev', 'emma', 'felix'])}${r.choice(['', '.', '_'])}${r.choice(WORDS)}${r.int(1, 999)}`;
    const out = await json('/auth/local/register', { method: 'POST', body: JSON.stringify({ username: handle, email: `${handle}@readers.test`, password: `Pw-${r.int(100000, 999999)}` }) });
    readers.push({ handle, jwt: out.jwt, id: out.user.id });
    return out;
  }
  const who = r.choice(readers);
  const as = strapi({ baseURL: api, auth: who.jwt });
  if (x < 0.45) return json('/users/me', {}, as);
  if (x < 0.55) return as.collection('articles').find({ filters: { kind: { $eq: r.choice(KINDS) } }, pagination: { pageSize: 5 } });
  if (x < 0.65) return client.collection('users').find({ filters: { username: { $startsWith: who.handle.slice(0, 2) } } });
  if (x < 0.72) return json('/users/count');
  if (x < 0.8) return json(`/users/${who.id}`, { method: 'PUT', body: JSON.stringify({ blocked: false, username: `${who.handle}x` }) }).then(() => { who.handle += 'x'; });
  if (x < 0.86) return json('/users-permissions/roles');
  if (x < 0.92) return json('/auth/local', { method: 'POST', body: JSON.stringify({ identifier: `${who.handle}@readers.test`, password: 'not-it' }) });
  return as.collection('job-posts').find();
}

// The errors people hit, through the same client.
async function mistake() {
  const x = r.next();
  if (x < 0.25) return client.collection(r.choice(['articles', 'products', 'events'])).findOne(`${r.choice(WORDS)}${r.int(1000, 9999)}missing`);
  if (x < 0.45) return client.collection('products').create({ name: words(2), price: -1 });
  if (x < 0.6 && live.products.length) return client.collection('products').create({ ...product(), sku: 'SKU-TAKEN' }).then(() => client.collection('products').create({ ...product(), sku: 'SKU-TAKEN' }));
  if (x < 0.75) return client.collection('articles').find({ filters: { title: { [r.choice(['$like', '$regex', '$foo'])]: 'x' } } });
  if (x < 0.85) return client.collection('events').create({ title: words(2), starts_at: 'next tuesday' });
  return strapi({ baseURL: api, auth: 'not-a-token' }).collection('articles').find();
}

const steps = [
  [() => create('articles'), 8], [() => find('articles'), 10], [() => findOne('articles'), 6], [() => update('articles'), 5], [() => remove('articles'), 2],
  [() => create('products'), 5], [() => find('products'), 6], [() => findOne('products'), 3], [() => update('products'), 4], [() => remove('products'), 1.5],
  [() => create('events'), 3], [() => find('events'), 3], [() => update('events'), 2], [() => remove('events'), 1],
  [() => create('job-posts'), 2], [() => find('job-posts'), 2], [() => update('job-posts'), 1], [() => remove('job-posts'), 0.5],
  [() => create('authors'), 2], [() => find('authors'), 2], [() => update('authors'), 1], [() => create('categories'), 1.5], [() => find('categories'), 2],
  [() => create('newsletter-signups'), 2], [() => remove('newsletter-signups'), 0.5],
  [singles, 4], [media, 5], [reader, 7], [mistake, 5],
];

function describe(e) {
  return `${e.name}: ${e.response ? `${e.response.status} ${e.request && e.request.url}` : e.message}`.slice(0, 200);
}

(async () => {
  for (const [kind, n] of [['authors', 6], ['categories', 8], ['products', 6], ['articles', 6], ['events', 3], ['job-posts', 2]]) {
    for (let i = 0; i < n; i++) {
      try { await create(kind); } catch (e) { console.error(describe(e)); }
    }
  }
  await run(steps, r, a, describe);
})();

// Drive a PocketBase server with its own client, the `pocketbase` JS SDK.
//
//     node pocketbase_drive.js SERVER_URL EMAIL PASSWORD --seed N [--rounds R] [--max-seconds S]
//
// Run by pocketbase.sh with the node_modules it installed (NODE_PATH); EMAIL / PASSWORD are the
// superuser the recipe made. The Node twin of workload.py (the same arguments, a seeded PRNG, the same
// weighted loop), as pouchdb_drive.js is. An app's backend as a team builds it on PocketBase: collections
// under names the team chooses (in every record path: `/api/collections/{name}/records/{id}`) with fields
// it names and types (text, numbers, selects, JSON, relations, files), rules, a view collection, records
// created, listed with filters / sorts / expands / field picks, read, updated (with `+`/`-` modifiers),
// deleted, files uploaded and fetched, batches, the built-in `users` auth collection (sign-ups, logins,
// token refresh, impersonation, records as a user under the rules), settings, logs, cron jobs, backups,
// and the errors people hit (a missing record, a required field left out, a unique value taken, a bad
// filter, a rule that refuses).
'use strict';

const PocketBase = require('pocketbase/cjs');
const { args, prng, run } = require('./drive');

// The collections an app's team makes, each with the fields it might give it (name, type, options).
const MODELS = {
  posts: [['title', 'text', { required: true }], ['body', 'editor'], ['published', 'bool'], ['views', 'number'],
    ['tags', 'select', { values: ['news', 'howto', 'release', 'opinion'], maxSelect: 3 }], ['slug', 'text', { unique: true }]],
  products: [['name', 'text', { required: true }], ['sku', 'text', { unique: true }], ['price', 'number'], ['stock', 'number'],
    ['category', 'select', { values: ['tools', 'garden', 'kitchen', 'toys'], maxSelect: 1 }], ['specs', 'json'], ['photo', 'file']],
  orders: [['number', 'text', { required: true }], ['total', 'number'], ['paid', 'bool'], ['placed_at', 'date'],
    ['status', 'select', { values: ['new', 'packed', 'shipped', 'returned'], maxSelect: 1 }], ['shipping', 'json']],
  tasks: [['title', 'text', { required: true }], ['done', 'bool'], ['due', 'date'], ['priority', 'number'],
    ['labels', 'select', { values: ['bug', 'chore', 'feature', 'urgent'], maxSelect: 4 }], ['notes', 'text']],
  customers: [['name', 'text', { required: true }], ['email', 'email', { unique: true }], ['website', 'url'],
    ['vip', 'bool'], ['address', 'json'], ['avatar', 'file']],
  tickets: [['subject', 'text', { required: true }], ['severity', 'select', { values: ['low', 'medium', 'high', 'critical'], maxSelect: 1 }],
    ['closed', 'bool'], ['opened_at', 'date'], ['meta', 'json'], ['attachment', 'file']],
  recipes: [['title', 'text', { required: true }], ['servings', 'number'], ['vegan', 'bool'], ['ingredients', 'json'],
    ['cuisine', 'select', { values: ['italian', 'thai', 'mexican', 'french'], maxSelect: 1 }], ['source', 'url']],
  inventory_items: [['label', 'text', { required: true }], ['quantity', 'number'], ['location', 'text'],
    ['checked_at', 'date'], ['attributes', 'json']],
};
// Relations a collection may get to another one the app has.
const LINKS = { orders: 'customers', tickets: 'customers', posts: 'authors', tasks: 'projects' };
const WORDS = ['alpha', 'bravo', 'delta', 'echo', 'kilo', 'lima', 'oscar', 'tango', 'zulu'];
const PEOPLE = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
// JSON values whose keys each record's author chooses (spec sheets, addresses, ingredient lists).
const SPEC_KEYS = ['color', 'weight_kg', 'material', 'voltage', 'Warranty', 'made in', 'dims.cm', 'batteryLife'];

function value(r, type, opts, name) {
  switch (type) {
    case 'text': return name === 'sku' || name === 'number' ? `${name.toUpperCase()}-${r.int(10000, 99999)}` : `${r.choice(WORDS)} ${r.choice(WORDS)} ${r.int(1, 999)}`;
    case 'editor': return `<p>${'lorem ipsum '.repeat(r.int(1, 6))}</p>`;
    case 'number': return r.next() < 0.5 ? r.int(0, 500) : r.int(100, 99999) / 100;
    case 'bool': return r.next() < 0.5;
    case 'date': return new Date(Date.UTC(2026, r.int(0, 11), r.int(1, 28), r.int(0, 23), r.int(0, 59))).toISOString().replace('T', ' ');
    case 'email': return `${r.choice(PEOPLE)}.${r.int(1, 99999)}@example.org`;
    case 'url': return `https://${r.choice(WORDS)}.example.com/${r.choice(['a', 'p', 'r'])}/${r.int(1, 999)}`;
    case 'select': return opts.maxSelect > 1 ? r.sample(opts.values, r.int(0, 2)) : r.choice(opts.values);
    case 'json': return json(r, name);
    default: return null;
  }
}

function json(r, name) {
  if (name === 'ingredients') return r.sample(['flour', 'egg', 'basil', 'lime', 'rice', 'beans'], r.int(1, 4)).map((i) => ({ item: i, grams: r.int(5, 500) }));
  if (name === 'address' || name === 'shipping') {
    const a = { street: `${r.int(1, 200)} ${r.choice(WORDS)} St`, city: r.choice(['Lyon', 'Austin', 'Osaka', 'Lagos']), zip: String(r.int(10000, 99999)) };
    if (r.next() < 0.4) a.country = r.choice(['FR', 'US', 'JP', 'NG']);
    return a;
  }
  const o = {};
  for (const k of r.sample(SPEC_KEYS, r.int(1, 4))) o[k] = r.choice([r.choice(WORDS), r.int(1, 240), r.next() < 0.5, null]);
  return o;
}

function field(name, type, opts, collections) {
  const f = { name, type, required: Boolean(opts && opts.required) };
  if (type === 'select') Object.assign(f, { values: opts.values, maxSelect: opts.maxSelect });
  if (type === 'file') Object.assign(f, { maxSelect: 1, maxSize: 1 << 20 });
  if (type === 'relation') Object.assign(f, { collectionId: collections.get(opts.to).id, maxSelect: 1, cascadeDelete: false });
  return f;
}

class Drive {
  constructor(a, rng) {
    this.a = a;
    this.rng = rng;
    this.pb = new PocketBase(a.url);
    this.pb.autoCancellation(false);
    this.collections = new Map(); // name -> {id, fields: [[name, type, opts]], unique: [names]}
    this.records = new Map(); // collection name -> [ids]
    this.users = []; // [{id, email, password}]
    this.backups = [];
  }

  async start() {
    await this.pb.health.check();
    await this.pb.collection('_superusers').authWithPassword(this.a.email, this.a.password);
    await this.pb.settings.update({ meta: { appName: `${this.rng.choice(WORDS)}-app`, appURL: this.a.url }, batch: { enabled: true, maxRequests: 50 } });
  }

  name() { // a base collection (a view takes no writes)
    return this.rng.choice([...this.collections.keys()].filter((n) => !n.endsWith('_stats')));
  }

  async createCollection(wanted) {
    const r = this.rng;
    const free = Object.keys(MODELS).filter((n) => !this.collections.has(n));
    if (!free.length) return this.updateCollection();
    const name = wanted || r.choice(free);
    // The app's data model is the same in both samples (the seed varies what is done with it, not
    // what the collections are): every field of the model, a relation's target made first.
    const target = LINKS[name];
    if (target && MODELS[target] && !this.collections.has(target)) await this.createCollection(target);
    const model = [...MODELS[name]];
    if (target && this.collections.has(target)) model.push([target.replace(/s$/, ''), 'relation', { to: target }]);
    const rule = r.choice(['', '@request.auth.id != ""', null]);
    const created = await this.pb.collections.create({
      // created / updated as the dashboard adds them to a new collection (a base collection has none else)
      name, type: 'base', fields: [...model.map(([n, t, o]) => field(n, t, o, this.collections)),
        { name: 'created', type: 'autodate', onCreate: true, onUpdate: false }, { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true }],
      listRule: rule, viewRule: rule, createRule: r.choice(['@request.auth.id != ""', null]), updateRule: null, deleteRule: null,
      indexes: model.filter(([, , o]) => o && o.unique).map(([n]) => `CREATE UNIQUE INDEX idx_${name}_${n} ON ${name} (${n})`),
    });
    this.collections.set(name, { id: created.id, fields: model });
    this.records.set(name, []);
  }

  async updateCollection() {
    const r = this.rng;
    if (!this.collections.size) return this.createCollection();
    const name = this.name();
    const k = r.int(0, 4);
    if (k === 0) await this.pb.collections.getOne(name);
    else if (k === 1) await this.pb.collections.getList(1, r.choice([10, 30]), r.choice([{}, { filter: 'system = false' }, { sort: '-created' }]));
    else if (k === 2) await this.pb.collections.getScaffolds();
    else {
      const c = await this.pb.collections.getOne(name);
      // a field added later: which one varies, its type is what its name says
      const [stem, type] = r.choice([['note', 'text'], ['rating', 'number'], ['archived', 'bool'], ['owner_ref', 'text']]);
      const extra = `${stem}_${r.int(1, 9)}`;
      if (c.fields.some((f) => f.name === extra)) return;
      c.fields.push({ name: extra, type });
      await this.pb.collections.update(name, { fields: c.fields, listRule: r.choice(['', c.listRule]) });
      this.collections.get(name).fields.push([extra, type, {}]);
    }
  }

  data(name) {
    const r = this.rng;
    const out = {};
    for (const [n, t, o] of this.collections.get(name).fields) {
      if (t === 'file') continue;
      if (t === 'relation') {
        const ids = this.records.get(o.to) || [];
        if (ids.length && r.next() < 0.8) out[n] = r.choice(ids);
        continue;
      }
      if (r.next() < 0.85 || (o && o.required)) out[n] = value(r, t, o, n);
    }
    return out;
  }

  async create() {
    if (!this.collections.size) return this.createCollection();
    const r = this.rng;
    const name = this.name();
    const body = this.data(name);
    const file = this.collections.get(name).fields.find(([, t]) => t === 'file');
    let rec;
    if (file && r.next() < 0.4) {
      const fd = new FormData();
      for (const [k, v] of Object.entries(body)) fd.append(k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
      const [fn, type] = r.choice([['photo.png', 'image/png'], ['notes.txt', 'text/plain'], ['data.json', 'application/json']]);
      fd.append(file[0], new Blob([type === 'application/json' ? JSON.stringify({ n: r.int(1, 9) }) : 'x'.repeat(r.int(10, 300))], { type }), fn);
      rec = await this.pb.collection(name).create(fd);
    } else {
      rec = await this.pb.collection(name).create(body, r.next() < 0.3 ? { expand: Object.keys(body).find((k) => LINKS[name] && k === LINKS[name].replace(/s$/, '')) || '' } : {});
    }
    this.records.get(name).push(rec.id);
  }

  pick() {
    const withRecs = [...this.records.keys()].filter((n) => this.records.get(n).length);
    if (!withRecs.length) return null;
    const name = this.rng.choice(withRecs);
    return [name, this.rng.choice(this.records.get(name))];
  }

  async list() {
    if (!this.collections.size) return this.createCollection();
    const r = this.rng;
    const name = this.name();
    const fields = this.collections.get(name).fields;
    const num = fields.find(([, t]) => t === 'number');
    const bool = fields.find(([, t]) => t === 'bool');
    const opts = {};
    if (r.next() < 0.5) opts.sort = r.choice(['-created', 'created', num ? `-${num[0]}` : '-updated', '@random']);
    if (r.next() < 0.5) opts.filter = r.choice([num ? `${num[0]} > ${r.int(0, 300)}` : 'id != ""', bool ? `${bool[0]} = true` : 'created > "2020-01-01"', `${fields[0][0]} ~ "${r.choice(WORDS)}"`]);
    if (r.next() < 0.2) opts.fields = `id,${fields[0][0]},created`;
    const rel = fields.find(([, t]) => t === 'relation');
    if (rel && r.next() < 0.5) opts.expand = rel[0];
    if (r.next() < 0.2) opts.skipTotal = true;
    const k = r.int(0, 5);
    if (k === 0) await this.pb.collection(name).getFullList({ batch: 50, ...opts });
    else if (k === 1 && this.records.get(name).length) await this.pb.collection(name).getFirstListItem(`id = "${r.choice(this.records.get(name))}"`, opts);
    else await this.pb.collection(name).getList(r.int(1, 2), r.choice([5, 20, 50]), opts);
  }

  async read() {
    const got = this.pick();
    if (!got) return this.create();
    const [name, id] = got;
    const rel = this.collections.get(name).fields.find(([, t]) => t === 'relation');
    const rec = await this.pb.collection(name).getOne(id, rel && this.rng.next() < 0.5 ? { expand: rel[0] } : {});
    const file = this.collections.get(name).fields.find(([, t]) => t === 'file');
    if (file && rec[file[0]] && this.rng.next() < 0.7) {
      // an app shows the file: its URL from the SDK, fetched as a browser would
      const res = await fetch(this.pb.files.getURL(rec, rec[file[0]], this.rng.next() < 0.3 ? { download: true } : {}));
      await res.arrayBuffer();
    }
  }

  async update() {
    const got = this.pick();
    if (!got) return this.create();
    const [name, id] = got;
    const r = this.rng;
    const fields = this.collections.get(name).fields;
    const body = {};
    for (const [n, t, o] of r.sample(fields.filter(([, t]) => t !== 'file' && t !== 'relation'), r.int(1, 3))) body[n] = value(r, t, o, n);
    const num = fields.find(([, t]) => t === 'number');
    if (num && r.next() < 0.3) { delete body[num[0]]; body[`${num[0]}+`] = r.int(1, 5); } // the modifiers PocketBase takes
    const sel = fields.find(([, t, o]) => t === 'select' && o.maxSelect > 1);
    if (sel && r.next() < 0.3) { delete body[sel[0]]; body[`${sel[0]}${r.choice(['+', '-'])}`] = r.choice(sel[2].values); }
    await this.pb.collection(name).update(id, body);
  }

  async remove() {
    const got = this.pick();
    if (!got) return this.create();
    const [name, id] = got;
    await this.pb.collection(name).delete(id).catch((e) => { if (e.status !== 400) throw e; }); // still referenced
    const ids = this.records.get(name);
    ids.splice(ids.indexOf(id), 1);
  }

  async batch() {
    if (!this.collections.size) return this.createCollection();
    const r = this.rng;
    const b = this.pb.createBatch();
    const name = this.name();
    const n = r.int(2, 5);
    for (let i = 0; i < n; i++) b.collection(name).create(this.data(name));
    const got = this.pick();
    if (got && r.next() < 0.4) b.collection(got[0]).update(got[1], this.data(got[0]));
    const res = await b.send();
    for (const x of res.slice(0, n)) if (x.status === 200 && x.body && x.body.id) this.records.get(name).push(x.body.id);
  }

  async user() {
    const r = this.rng;
    if (!this.users.length || r.next() < 0.3) {
      const email = `${r.choice(PEOPLE)}.${r.int(1, 99999)}@example.org`;
      const password = `pw-${r.int(100000, 999999)}-${r.choice(WORDS)}`;
      const u = await this.pb.collection('users').create({ email, password, passwordConfirm: password, name: `${r.choice(PEOPLE)} ${r.choice(WORDS)}`, emailVisibility: r.next() < 0.5 });
      this.users.push({ id: u.id, email, password });
      return;
    }
    const u = r.choice(this.users);
    const client = new PocketBase(this.a.url);
    client.autoCancellation(false);
    const k = r.int(0, 5);
    if (k === 0) await client.collection('users').listAuthMethods();
    else if (k === 1) { // impersonation by the superuser: an admin tool's "log in as"
      const as = await this.pb.collection('users').impersonate(u.id, r.choice([600, 3600]));
      await as.collection('users').getOne(u.id);
    } else {
      await client.collection('users').authWithPassword(u.email, u.password);
      if (r.next() < 0.3) await client.collection('users').authRefresh();
      if (this.collections.size) { // the app's calls as that user, under the collections' rules
        const name = this.name();
        if (r.next() < 0.5) await client.collection(name).getList(1, 10, { sort: '-created' });
        else {
          const rec = await client.collection(name).create(this.data(name));
          this.records.get(name).push(rec.id);
        }
      }
      if (r.next() < 0.2) await client.collection('users').update(u.id, { name: `${r.choice(PEOPLE)} ${r.choice(WORDS)}` });
    }
  }

  async admin() {
    const r = this.rng;
    const k = r.int(0, 9);
    if (k === 0) await this.pb.settings.getAll();
    else if (k === 1) await this.pb.logs.getList(1, r.choice([20, 50]), r.choice([{}, { filter: 'data.status >= 400' }, { sort: '-created' }]));
    else if (k === 2) await this.pb.logs.getStats(r.choice([{}, { filter: 'data.status >= 400' }]));
    else if (k === 3) {
      const logs = await this.pb.logs.getList(1, 5);
      if (logs.items.length) await this.pb.logs.getOne(r.choice(logs.items).id);
    } else if (k === 4) await this.pb.crons.getFullList();
    else if (k === 5) await this.pb.crons.run(r.choice(['__pbLogsCleanup__', '__pbDBOptimize__', '__pbOTPCleanup__', '__pbMFACleanup__']));
    else if (k === 6 && this.backups.length < 4) {
      const key = `${r.choice(WORDS)}_${r.int(1, 999)}.zip`;
      await this.pb.backups.create(key);
      this.backups.push(key);
      await this.pb.backups.getFullList();
    } else if (k === 7 && this.backups.length) {
      await this.pb.backups.delete(this.backups.splice(Math.floor(r.next() * this.backups.length), 1)[0]);
    } else if (k === 8) await this.pb.files.getToken();
    else await this.pb.health.check();
  }

  async errors() {
    const r = this.rng;
    const k = r.int(0, 6);
    const quiet = (e) => { if (!e.status || e.status >= 500) throw e; console.error(`expected: ${e.status}`); };
    if (!this.collections.size) return this.createCollection();
    const name = this.name();
    if (k === 0) await this.pb.collection(name).getOne(`${'x'.repeat(5)}${r.int(1000000000, 9999999999)}`).catch(quiet);
    else if (k === 1) await this.pb.collection(name).create({}).catch(quiet); // a required field left out
    else if (k === 2) await this.pb.collection(name).getList(1, 10, { filter: `${r.choice(WORDS)} === "x"` }).catch(quiet);
    else if (k === 3) await this.pb.collections.getOne(`no_such_${r.choice(WORDS)}`).catch(quiet);
    else if (k === 4) await new PocketBase(this.a.url).collection('_superusers').authWithPassword(this.a.email, 'wrong-password').catch(quiet);
    else if (k === 5) { // a unique value taken
      const c = this.collections.get(name);
      const uniq = c.fields.find(([, , o]) => o && o.unique);
      const ids = this.records.get(name);
      if (uniq && ids.length) {
        const rec = await this.pb.collection(name).getOne(r.choice(ids));
        if (rec[uniq[0]]) await this.pb.collection(name).create({ ...this.data(name), [uniq[0]]: rec[uniq[0]] }).catch(quiet);
      }
    } else await new PocketBase(this.a.url).collections.getList(1, 5).catch(quiet); // no superuser token
  }

  async view() {
    const r = this.rng;
    const named = [...this.collections.keys()].filter((n) => this.collections.get(n).fields.some(([, t]) => t === 'number'));
    const views = [...this.collections.keys()].filter((n) => n.endsWith('_stats'));
    if (views.length && r.next() < 0.7) return this.pb.collection(r.choice(views)).getList(1, 20);
    if (!named.length) return this.createCollection();
    const src = r.choice(named);
    const vname = `${src}_stats`;
    if (this.collections.has(vname)) return;
    const num = this.collections.get(src).fields.find(([, t]) => t === 'number')[0];
    const created = await this.pb.collections.create({ name: vname, type: 'view', listRule: '', viewRule: '',
      viewQuery: `SELECT (ROW_NUMBER() OVER()) as id, count(*) as total, sum(${num}) as ${num}_sum FROM ${src}` });
    this.collections.set(vname, { id: created.id, fields: [] });
    this.records.set(vname, []);
  }

  async dropCollection() {
    const r = this.rng;
    const base = [...this.collections.keys()].filter((n) => !Object.values(LINKS).includes(n) && !n.endsWith('_stats') &&
      ![...this.collections.keys()].includes(`${n}_stats`));
    if (this.collections.size < 5 || !base.length) return this.list();
    const name = r.choice(base);
    if (r.next() < 0.5) { await this.pb.collections.truncate(name); this.records.set(name, []); return; }
    await this.pb.collections.delete(name);
    this.collections.delete(name);
    this.records.delete(name);
  }
}

async function main() {
  const a = args(process.argv.slice(2), 'pocketbase_drive.js', ['email', 'password'], 1000);
  const rng = prng(a.seed);
  const d = new Drive(a, rng);
  await d.start();
  for (let i = 0; i < 3; i++) await d.createCollection();
  const steps = [
    [() => d.createCollection(), 0.5], [() => d.updateCollection(), 0.8], [() => d.create(), 4], [() => d.list(), 3],
    [() => d.read(), 3], [() => d.update(), 2], [() => d.remove(), 0.8], [() => d.batch(), 0.6], [() => d.user(), 1.5],
    [() => d.admin(), 0.8], [() => d.errors(), 0.8], [() => d.view(), 0.4], [() => d.dropCollection(), 0.2],
  ];
  await run(steps, rng, a, (e) => `${e.status || e.name}: ${e.url || ""} ${String(e.message).slice(0, 120)} ${JSON.stringify(e.response || {}).slice(0, 200)}`);
}

main().catch((e) => { console.error(e); process.exit(1); });

// Drive a PouchDB Server (CouchDB's HTTP API) with nano, the CouchDB client for Node.
//
//     node pouchdb_drive.js SERVER_URL --seed N [--rounds R] [--max-seconds S]
//
// Run by pouchdb.sh with the node_modules it installed (NODE_PATH). The client is JavaScript, so this
// driver is the Node twin of workload.py: the same arguments and the same seeded loop of weighted
// steps (a small seeded PRNG, since Node's Math.random takes no seed). A few teams each keep
// databases under names they choose (apps, per-user databases as PouchDB apps make them), documents
// under ids they choose or the server's UUIDs with free-form fields, updates by _rev, conflicts (409),
// _all_docs with keys and ranges, _bulk_docs, _changes feeds, attachments, design documents with views
// queried, Mango _find with indexes, revision listings, compaction, replication between databases,
// deletes, and the errors people hit (404s, a database that already exists, a stale _rev).
'use strict';

const nano = require('nano');
const { args, prng, run } = require('./drive');

const TEAMS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark'];
const APPS = ['notes', 'inventory', 'crm', 'recipes', 'fieldwork', 'tasks', 'survey', 'catalog'];
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
const KINDS = ['note', 'task', 'contact', 'item', 'visit', 'answer'];

function doc(rng, kind) {
  const d = { type: kind, title: rng.choice(['Buy milk', 'Call Bob', 'Site visit', 'Q3 plan', 'Fix pump #4', 'Draft']),
    created_at: new Date(Date.UTC(2026, rng.int(0, 11), rng.int(1, 28), rng.int(0, 23))).toISOString(),
    author: rng.choice(USERS) };
  if (rng.next() < 0.5) d.tags = rng.sample(['home', 'work', 'urgent', 'later', 'ideas', 'field'], rng.int(0, 3));
  if (kind === 'task') { d.done = rng.next() < 0.4; d.priority = rng.int(1, 5); }
  if (kind === 'contact') { d.email = `${rng.choice(USERS)}@example.org`; d.phone = `+1-555-${rng.int(1000, 9999)}`; }
  if (kind === 'item') { d.sku = `SKU-${rng.int(10000, 99999)}`; d.qty = rng.int(0, 500); d.price = rng.int(100, 99999) / 100; }
  if (kind === 'visit') d.location = { lat: rng.int(-9000, 9000) / 100, lon: rng.int(-18000, 18000) / 100 };
  if (rng.next() < 0.35) { // fields each app names as it likes
    d.custom = {};
    for (let i = rng.int(1, 3); i > 0; i--) d.custom[rng.choice(['color', 'mood', 'source', 'owner', 'due', 'room'])] = rng.choice(['red', 'ok', 3, null, true]);
  }
  if (rng.next() < 0.25) d.body = 'lorem ipsum '.repeat(rng.int(0, 12));
  return d;
}

class Drive {
  constructor(url, rng) {
    this.rng = rng;
    this.couch = nano({ url, requestDefaults: { timeout: 30000 } });
    this.dbs = []; // database names
    this.docs = new Map(); // db -> Map(id -> rev)
    this.views = new Set(); // databases with the design doc
  }

  db() { return this.rng.choice(this.dbs); }

  async createDb() {
    const r = this.rng;
    const name = r.next() < 0.3
      ? `userdb-${Buffer.from(r.choice(USERS)).toString('hex')}` // per-user databases, as couch_peruser names them
      : `${r.choice(TEAMS)}-${r.choice(APPS)}${r.next() < 0.5 ? '' : `-${r.int(2020, 2026)}`}`;
    try {
      await this.couch.db.create(name);
    } catch (e) { if (e.statusCode !== 412) throw e; } // it already exists: people try anyway
    if (!this.docs.has(name)) { this.dbs.push(name); this.docs.set(name, new Map()); }
  }

  async insert() {
    if (!this.dbs.length) return this.createDb();
    const r = this.rng; const name = this.db(); const db = this.couch.use(name);
    const kind = r.choice(KINDS);
    const body = doc(r, kind);
    let res;
    if (r.next() < 0.5) res = await db.insert(body); // the server's UUID
    else res = await db.insert(body, `${kind}:${r.choice(USERS)}:${r.int(1, 999)}`).catch((e) => {
      if (e.statusCode === 409) return null; // that id is taken
      throw e;
    });
    if (res) this.docs.get(name).set(res.id, res.rev);
  }

  async bulk() {
    if (!this.dbs.length) return this.createDb();
    const r = this.rng; const name = this.db();
    const known = [...this.docs.get(name)];
    const docs = [];
    for (let i = r.int(2, 8); i > 0; i--) docs.push(doc(r, r.choice(KINDS)));
    if (known.length && r.next() < 0.5) { // updates and deletes in the same batch
      const [id, rev] = r.choice(known);
      docs.push(r.next() < 0.3 ? { _id: id, _rev: rev, _deleted: true } : { ...doc(r, 'note'), _id: id, _rev: rev });
    }
    const res = await this.couch.use(name).bulk({ docs });
    for (const row of res) if (row.ok) this.docs.get(name).set(row.id, row.rev);
  }

  async read() {
    if (!this.dbs.length) return this.createDb();
    const r = this.rng; const name = this.db(); const db = this.couch.use(name);
    const known = [...this.docs.get(name).keys()];
    const k = r.int(0, 7);
    if (k === 0 && known.length) await db.get(r.choice(known), r.choice([{}, { revs_info: true }, { revs: true }, { conflicts: true }]));
    else if (k === 1) await db.list(r.choice([{}, { include_docs: true }, { limit: 5, skip: r.int(0, 5) }, { descending: true },
      { startkey: 'contact:', endkey: 'contact:\ufff0' }, { include_docs: true, limit: 10 }]));
    else if (k === 2 && known.length) await db.fetch({ keys: r.sample(known, Math.min(known.length, r.int(1, 4))) });
    else if (k === 3) await db.info();
    else if (k === 4) await this.couch.db.list();
    else if (k === 5 && known.length) await db.head(r.choice(known));
    else if (k === 6) await db.get(`missing-${r.int(1, 99)}`).catch((e) => { if (e.statusCode !== 404) throw e; });
    else await this.couch.request({ path: '_uuids', qs: { count: r.int(1, 5) } });
  }

  async update() {
    const withDocs = this.dbs.filter((n) => this.docs.get(n).size);
    if (!withDocs.length) return this.insert();
    const r = this.rng; const name = r.choice(withDocs); const db = this.couch.use(name); const revs = this.docs.get(name);
    const [id, rev] = r.choice([...revs]);
    if (r.next() < 0.15) { // a stale _rev: the 409 people hit
      await db.insert({ ...doc(r, 'note'), _id: id, _rev: `1-${'0'.repeat(32)}` }).catch((e) => { if (e.statusCode !== 409) throw e; });
      return;
    }
    const current = await db.get(id);
    const res = await db.insert({ ...current, title: doc(r, 'note').title, updated_at: new Date(Date.UTC(2026, 11, r.int(1, 28))).toISOString() });
    revs.set(id, res.rev);
    void rev;
  }

  async remove() {
    const withDocs = this.dbs.filter((n) => this.docs.get(n).size);
    if (!withDocs.length) return this.insert();
    const r = this.rng; const name = r.choice(withDocs); const revs = this.docs.get(name);
    const [id, rev] = r.choice([...revs]);
    await this.couch.use(name).destroy(id, rev);
    revs.delete(id);
  }

  async attach() {
    const withDocs = this.dbs.filter((n) => this.docs.get(n).size);
    if (!withDocs.length) return this.insert();
    const r = this.rng; const name = r.choice(withDocs); const db = this.couch.use(name); const revs = this.docs.get(name);
    const [id, rev] = r.choice([...revs]);
    const [file, type] = r.choice([['photo.png', 'image/png'], ['notes.txt', 'text/plain'], ['report.pdf', 'application/pdf'], ['data.json', 'application/json']]);
    const data = type === 'application/json' ? Buffer.from(JSON.stringify({ rows: r.int(1, 9) })) : Buffer.from('x'.repeat(r.int(10, 400)));
    const res = await db.attachment.insert(id, file, data, type, { rev });
    revs.set(id, res.rev);
    if (r.next() < 0.5) await db.attachment.get(id, file);
    if (r.next() < 0.2) {
      const gone = await db.attachment.destroy(id, file, { rev: res.rev });
      revs.set(id, gone.rev);
    }
  }

  async changes() {
    if (!this.dbs.length) return this.createDb();
    const r = this.rng; const name = this.db();
    await this.couch.use(name).changes(r.choice([{}, { since: r.int(0, 20) }, { include_docs: true, limit: 10 }, { descending: true, limit: 3 },
      { since: 'now' }, { style: 'all_docs' }]));
  }

  async design() {
    if (!this.dbs.length) return this.createDb();
    const r = this.rng; const name = this.db(); const db = this.couch.use(name);
    if (!this.views.has(name)) {
      await db.insert({ _id: '_design/app', language: 'javascript', views: {
        by_type: { map: 'function (doc) { if (doc.type) emit(doc.type, 1); }', reduce: '_count' },
        by_author: { map: 'function (doc) { if (doc.author) emit([doc.author, doc.created_at], doc.title); }' },
      } });
      this.views.add(name);
      return;
    }
    if (r.next() < 0.5) await db.view('app', 'by_type', r.choice([{ group: true }, { reduce: false, limit: 5 }, { key: r.choice(KINDS) }]));
    else await db.view('app', 'by_author', r.choice([{ limit: 10 }, { startkey: [r.choice(USERS)], endkey: [r.choice(USERS), {}] }, { include_docs: true, limit: 3 }]));
  }

  async find() {
    if (!this.dbs.length) return this.createDb();
    const r = this.rng; const db = this.couch.use(this.db());
    if (r.next() < 0.25) await db.createIndex({ index: { fields: [r.choice(['type', 'author', 'priority'])] }, name: `idx-${r.choice(['type', 'author', 'priority'])}` });
    else await db.find(r.choice([
      { selector: { type: r.choice(KINDS) } },
      { selector: { author: r.choice(USERS), type: { $in: ['task', 'note'] } }, fields: ['_id', 'title'], limit: 10 },
      { selector: { priority: { $gte: r.int(1, 5) } }, sort: [{ priority: 'asc' }] },
      { selector: { tags: { $elemMatch: { $eq: 'urgent' } } } },
    ])).catch((e) => { if (e.statusCode !== 400 && e.statusCode !== 500) throw e; }); // a sort with no index
  }

  async admin() {
    const r = this.rng;
    const k = r.int(0, 5);
    if (k === 0 && this.dbs.length > 1) {
      const [source, target] = r.sample(this.dbs, 2);
      await this.couch.db.replicate(source, target);
      for (const [id, rev] of this.docs.get(source)) if (!this.docs.get(target).has(id)) this.docs.get(target).set(id, rev);
    } else if (k === 1 && this.dbs.length) await this.couch.db.compact(this.db());
    else if (k === 2 && this.dbs.length > 3) { // a team drops a database
      const name = this.dbs.splice(Math.floor(r.next() * this.dbs.length), 1)[0];
      await this.couch.db.destroy(name);
      this.docs.delete(name); this.views.delete(name);
    } else if (k === 3) await this.couch.db.get(`nobody-${r.int(1, 99)}`).catch((e) => { if (e.statusCode !== 404) throw e; });
    else if (k === 4 && this.dbs.length) {
      const name = this.db(); const known = [...this.docs.get(name)];
      if (known.length) {
        const [id, rev] = r.choice(known);
        await this.couch.request({ db: name, path: '_revs_diff', method: 'POST', body: { [id]: [rev, `9-${'a'.repeat(32)}`] } });
      }
    } else await this.couch.info();
  }
}

async function main() {
  const a = args(process.argv.slice(2), 'pouchdb_drive.js', [], 1100);
  const rng = prng(a.seed);
  const d = new Drive(a.url.replace(/\/$/, ''), rng);
  for (let i = 0; i < 4; i++) await d.createDb();
  const steps = [
    [() => d.createDb(), 0.5], [() => d.insert(), 4], [() => d.bulk(), 1], [() => d.read(), 4], [() => d.update(), 2],
    [() => d.remove(), 0.7], [() => d.attach(), 1], [() => d.changes(), 1], [() => d.design(), 1], [() => d.find(), 1],
    [() => d.admin(), 0.8],
  ];
  await run(steps, rng, a, (e) => `${e.statusCode || e.name}: ${String(e.message).slice(0, 120)}`);
}

main().catch((e) => { console.error(e); process.exit(1); });

// Drive a Directus server with its own client, `@directus/sdk`.
//
//     node directus_drive.js SERVER_URL EMAIL PASSWORD --seed N [--rounds R] [--max-seconds S]
//
// Run by directus.sh with the node_modules it installed (NODE_PATH: so CommonJS, which honours it);
// EMAIL / PASSWORD are the first admin the recipe bootstrapped. The Node twin of workload.py (the same
// arguments, a seeded PRNG, the same weighted loop), as pouchdb_drive.js is. A headless CMS as a
// content team and its site's backend use it: collections under names the team chooses (in every item
// path: `/items/{collection}/{id}`), with integer, UUID or string (slug) primary keys, fields it names
// and types (strings, numbers, booleans, dates, JSON, CSV tags, status choices) and many-to-one
// relations between them, items created one by one and in batches, queried with filters / sorts /
// field picks / search / deep / meta counts / aggregates and group-bys, read, updated, deleted; files
// in folders with their assets, roles with permissions and users working under them, comments,
// activity and revisions, presets, content versions, flows triggered by webhook, dashboards and
// panels, settings, the schema snapshot, utilities, and the errors people hit (a missing item, a
// value of the wrong type, a unique value taken, a bad filter, a wrong password, a refused read).
'use strict';

const sdk = require('@directus/sdk');
const { args, prng, run } = require('./drive');

const WORDS = ['alpha', 'bravo', 'delta', 'echo', 'kilo', 'lima', 'oscar', 'tango', 'zulu'];
const PEOPLE = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
const STATUS = ['draft', 'review', 'published', 'archived'];
// The collections a team makes: its primary key's kind, and the fields it might give it.
const MODELS = {
  authors: { pk: 'integer', fields: [['name', 'string'], ['bio', 'text'], ['twitter', 'string'], ['joined', 'date'], ['socials', 'json']] },
  articles: { pk: 'integer', fields: [['title', 'string'], ['status', 'status'], ['body', 'text'], ['published_on', 'dateTime'], ['tags', 'csv'], ['reading_minutes', 'integer'], ['seo', 'json'], ['author', 'm2o:authors']] },
  products: { pk: 'uuid', fields: [['name', 'string'], ['sku', 'unique'], ['price', 'decimal'], ['in_stock', 'boolean'], ['specs', 'json'], ['rating', 'float']] },
  events: { pk: 'uuid', fields: [['title', 'string'], ['starts_at', 'dateTime'], ['capacity', 'integer'], ['online', 'boolean'], ['venue', 'm2o:venues'], ['status', 'status']] },
  venues: { pk: 'integer', fields: [['name', 'string'], ['city', 'string'], ['seats', 'integer'], ['geo', 'json']] },
  pages: { pk: 'slug', fields: [['title', 'string'], ['status', 'status'], ['blocks', 'json'], ['menu_order', 'integer']] },
  job_posts: { pk: 'integer', fields: [['role', 'string'], ['team', 'string'], ['remote', 'boolean'], ['salary_max', 'integer'], ['status', 'status'], ['perks', 'csv']] },
  testimonials: { pk: 'integer', fields: [['quote', 'text'], ['customer', 'string'], ['stars', 'integer'], ['featured', 'boolean']] },
};
const SPEC_KEYS = ['color', 'weight_kg', 'material', 'voltage', 'Warranty', 'made in', 'dims.cm', 'batteryLife'];

function pkField(kind) {
  if (kind === 'uuid') return { field: 'id', type: 'uuid', meta: { hidden: true, readonly: true, interface: 'input', special: ['uuid'] }, schema: { is_primary_key: true, length: 36, has_auto_increment: false } };
  if (kind === 'slug') return { field: 'slug', type: 'string', meta: { interface: 'input', required: true }, schema: { is_primary_key: true, length: 255, has_auto_increment: false } };
  return { field: 'id', type: 'integer', meta: { hidden: true, interface: 'input', readonly: true }, schema: { is_primary_key: true, has_auto_increment: true } };
}

function fieldDef(name, kind) {
  const base = { field: name, meta: { interface: 'input', note: null }, schema: {} };
  switch (kind) {
    case 'string': return { ...base, type: 'string' };
    case 'unique': return { ...base, type: 'string', schema: { is_unique: true } };
    case 'text': return { ...base, type: 'text', meta: { interface: 'input-multiline' } };
    case 'integer': return { ...base, type: 'integer' };
    case 'float': return { ...base, type: 'float' };
    case 'decimal': return { ...base, type: 'decimal', schema: { numeric_precision: 10, numeric_scale: 2 } };
    case 'boolean': return { ...base, type: 'boolean', meta: { interface: 'boolean', special: ['cast-boolean'] }, schema: { default_value: false } };
    case 'date': return { ...base, type: 'date', meta: { interface: 'datetime' } };
    case 'dateTime': return { ...base, type: 'dateTime', meta: { interface: 'datetime' } };
    case 'json': return { ...base, type: 'json', meta: { interface: 'input-code', special: ['cast-json'] } };
    case 'csv': return { ...base, type: 'csv', meta: { interface: 'tags', special: ['cast-csv'] } };
    case 'status': return { ...base, type: 'string', meta: { interface: 'select-dropdown', options: { choices: STATUS.map((s) => ({ text: s, value: s })) } }, schema: { default_value: 'draft' } };
    default: return { ...base, type: 'integer', meta: { interface: 'select-dropdown-m2o', special: ['m2o'] } };
  }
}

function value(r, name, kind) {
  switch (kind) {
    case 'string': return name === 'twitter' ? `@${r.choice(PEOPLE)}${r.int(1, 99)}` : `${r.choice(WORDS)} ${r.choice(WORDS)} ${r.int(1, 999)}`;
    case 'unique': return `SKU-${r.int(10000, 99999)}`;
    case 'text': return 'lorem ipsum '.repeat(r.int(1, 8)).trim();
    case 'integer': return r.int(0, 500);
    case 'float': return r.int(0, 50) / 10;
    case 'decimal': return (r.int(100, 99999) / 100).toFixed(2);
    case 'boolean': return r.next() < 0.5;
    case 'date': return `2026-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
    case 'dateTime': return new Date(Date.UTC(2026, r.int(0, 11), r.int(1, 28), r.int(0, 23))).toISOString().slice(0, 19);
    case 'csv': return r.sample(['news', 'howto', 'release', 'remote', 'gym', 'equity', 'lunch'], r.int(0, 3));
    case 'status': return r.choice(STATUS);
    case 'json': return json(r, name);
    default: return null;
  }
}

function json(r, name) {
  if (name === 'blocks') return r.sample(['hero', 'gallery', 'cta', 'faq', 'quote'], r.int(1, 3)).map((t) => ({ type: t, heading: r.choice(WORDS), visible: r.next() < 0.8 }));
  if (name === 'geo') return { lat: r.int(-9000, 9000) / 100, lng: r.int(-18000, 18000) / 100 };
  if (name === 'socials') {
    const o = {};
    for (const k of r.sample(['github', 'mastodon', 'linkedin', 'website'], r.int(0, 3))) o[k] = `https://${k}.example/${r.choice(PEOPLE)}`;
    return o;
  }
  if (name === 'seo') return { meta_title: r.choice(WORDS), no_index: r.next() < 0.2 };
  const o = {}; // keys each product's editor chooses
  for (const k of r.sample(SPEC_KEYS, r.int(1, 4))) o[k] = r.choice([r.choice(WORDS), r.int(1, 240), r.next() < 0.5, null]);
  return o;
}

// Node's fetch with a deadline: a call the server never answers fails the step (and is logged)
// instead of stopping the recording.
function timedFetch(url, init = {}) {
  return fetch(url, { ...init, signal: AbortSignal.timeout(30000) });
}

class Drive {
  constructor(a, rng) {
    this.a = a;
    this.rng = rng;
    this.c = this.client();
    this.collections = new Map(); // name -> {pk, fields: [[name, kind]]}
    this.items = new Map(); // name -> [keys]
    this.folders = []; this.files = []; this.roles = []; this.users = []; this.flows = []; this.versions = []; this.dashboards = [];
  }

  client() {
    return sdk.createDirectus(this.a.url, { globals: { fetch: timedFetch } }).with(sdk.authentication('json', { autoRefresh: true })).with(sdk.rest());
  }

  async start() {
    await this.c.request(sdk.serverPing());
    await this.c.login(this.a.email, this.a.password);
    await this.c.request(sdk.serverInfo());
    await this.c.request(sdk.updateSettings({ project_name: `${this.rng.choice(WORDS)} site`, project_color: '#2F80ED', default_language: 'en-US' }));
  }

  name() { return this.rng.choice([...this.collections.keys()]); }

  async createCollection(wanted) {
    const r = this.rng;
    const free = Object.keys(MODELS).filter((n) => !this.collections.has(n));
    if (!free.length) return this.schema();
    const name = wanted || r.choice(free);
    const m = MODELS[name];
    // The data model is the same in both samples (the seed varies what is done with it, not what the
    // collections are): every field of the model, a many-to-one's target made first.
    for (const [, k] of m.fields) if (k.startsWith('m2o:') && !this.collections.has(k.slice(4))) await this.createCollection(k.slice(4));
    const fields = [...m.fields];
    const plain = fields.filter(([, k]) => !k.startsWith('m2o:'));
    await this.c.request(sdk.createCollection({
      collection: name,
      meta: { icon: r.choice(['article', 'box', 'event', 'person']), note: `${name} for the ${r.choice(WORDS)} site`, versioning: r.next() < 0.5, sort_field: null },
      schema: {},
      fields: [pkField(m.pk), ...plain.map(([n, k]) => fieldDef(n, k)),
        { field: 'date_created', type: 'timestamp', meta: { special: ['date-created'], interface: 'datetime', readonly: true, hidden: true }, schema: {} },
        { field: 'user_created', type: 'uuid', meta: { special: ['user-created'], interface: 'select-dropdown-m2o', readonly: true, hidden: true }, schema: {} }],
    }));
    // a many-to-one: the field, then its relation (as the data model editor makes them)
    for (const [n, k] of fields.filter(([, k]) => k.startsWith('m2o:'))) {
      const target = k.slice(4);
      await this.c.request(sdk.createField(name, fieldDef(n, k)));
      await this.c.request(sdk.createRelation({ collection: name, field: n, related_collection: target, schema: { on_delete: 'SET NULL' } }));
    }
    this.collections.set(name, { pk: m.pk, fields });
    this.items.set(name, []);
  }

  async schema() {
    const r = this.rng;
    if (!this.collections.size) return this.createCollection();
    const name = this.name();
    const k = r.int(0, 7);
    if (k === 0) await this.c.request(sdk.readCollections());
    else if (k === 1) await this.c.request(sdk.readCollection(name));
    else if (k === 2) await this.c.request(sdk.readFieldsByCollection(name));
    else if (k === 3) await this.c.request(sdk.readField(name, this.collections.get(name).fields[0][0]));
    else if (k === 4) await this.c.request(sdk.readRelations());
    else if (k === 5) await this.c.request(sdk.updateCollection(name, { meta: { note: `${r.choice(WORDS)} notes`, color: r.choice(['#FF0000', '#00AA00', null]) } }));
    else if (k === 6) { // a field added later in the project's life
      // a field added later: which one varies, its type is what its name says
      const [stem, kind] = r.choice([['subtitle', 'string'], ['summary', 'text'], ['legacy_id', 'integer'], ['featured_flag', 'boolean']]);
      const extra = `${stem}_${r.int(1, 9)}`;
      const c = this.collections.get(name);
      if (c.fields.some(([n]) => n === extra)) return;
      await this.c.request(sdk.createField(name, fieldDef(extra, kind)));
      c.fields.push([extra, kind]);
      if (r.next() < 0.3) await this.c.request(sdk.updateField(name, extra, { meta: { note: 'added later', width: 'half' } }));
    } else if (r.next() < 0.2) await this.c.request(sdk.schemaSnapshot());
    else await this.c.request(sdk.readFields());
  }

  data(name) {
    const r = this.rng;
    const c = this.collections.get(name);
    const out = {};
    if (c.pk === 'slug') out.slug = `${r.choice(WORDS)}-${r.choice(WORDS)}-${r.int(1, 9999)}`;
    for (const [n, k] of c.fields) {
      if (k.startsWith('m2o:')) {
        const keys = this.items.get(k.slice(4)) || [];
        if (keys.length && r.next() < 0.8) out[n] = r.choice(keys);
      } else if (r.next() < 0.85) out[n] = value(r, n, k);
    }
    return out;
  }

  pk(name) { return this.collections.get(name).pk === 'slug' ? 'slug' : 'id'; }

  async create() {
    if (!this.collections.size) return this.createCollection();
    const r = this.rng;
    const name = this.name();
    const pk = this.pk(name);
    if (r.next() < 0.25) {
      const made = await this.c.request(sdk.createItems(name, Array.from({ length: r.int(2, 5) }, () => this.data(name))));
      for (const it of made) this.items.get(name).push(it[pk]);
      return;
    }
    const made = await this.c.request(sdk.createItem(name, this.data(name), r.next() < 0.3 ? { fields: [pk, this.collections.get(name).fields[0][0]] } : {}));
    this.items.get(name).push(made[pk]);
  }

  pick() {
    const withItems = [...this.items.keys()].filter((n) => this.items.get(n).length);
    if (!withItems.length) return null;
    const name = this.rng.choice(withItems);
    return [name, this.rng.choice(this.items.get(name))];
  }

  async query() {
    if (!this.collections.size) return this.createCollection();
    const r = this.rng;
    const name = this.name();
    const c = this.collections.get(name);
    const num = c.fields.find(([, k]) => k === 'integer' || k === 'float');
    const bool = c.fields.find(([, k]) => k === 'boolean');
    const status = c.fields.find(([, k]) => k === 'status');
    const rel = c.fields.find(([, k]) => k.startsWith('m2o:'));
    const q = {};
    if (r.next() < 0.6) q.limit = r.choice([5, 10, 25, -1]);
    if (r.next() < 0.5) q.sort = [r.choice(['-date_created', 'date_created', num ? `-${num[0]}` : this.pk(name)])];
    const filters = [];
    if (num) filters.push({ [num[0]]: { _gte: r.int(0, 300) } });
    if (bool) filters.push({ [bool[0]]: { _eq: true } });
    if (status) filters.push({ [status[0]]: { _in: r.sample(STATUS, 2) } });
    if (rel) filters.push({ [rel[0]]: { _nnull: true } });
    if (filters.length && r.next() < 0.6) q.filter = r.next() < 0.3 && filters.length > 1 ? { _and: r.sample(filters, 2) } : r.choice(filters);
    if (r.next() < 0.3) q.fields = rel && r.next() < 0.6 ? ['*', `${rel[0]}.*`] : [this.pk(name), c.fields[0][0]];
    if (r.next() < 0.15) q.search = r.choice(WORDS);
    if (r.next() < 0.2) q.meta = r.choice(['total_count', 'filter_count', '*']);
    if (r.next() < 0.15) q.page = r.int(1, 3);
    const k = r.int(0, 6);
    if (k === 0) {
      const agg = { count: '*' };
      if (num) agg[r.choice(['sum', 'avg', 'max'])] = num[0];
      const groupBy = status ? [status[0]] : bool ? [bool[0]] : undefined;
      await this.c.request(sdk.aggregate(name, { aggregate: agg, groupBy, query: q.filter ? { filter: q.filter } : undefined }));
    } else await this.c.request(sdk.readItems(name, q));
  }

  async read() {
    const got = this.pick();
    if (!got) return this.create();
    const [name, key] = got;
    const rel = this.collections.get(name).fields.find(([, k]) => k.startsWith('m2o:'));
    await this.c.request(sdk.readItem(name, key, rel && this.rng.next() < 0.4 ? { fields: ['*', `${rel[0]}.*`] } : {}));
  }

  async update() {
    const got = this.pick();
    if (!got) return this.create();
    const [name, key] = got;
    const r = this.rng;
    const c = this.collections.get(name);
    const body = {};
    for (const [n, k] of r.sample(c.fields.filter(([, k]) => !k.startsWith('m2o:')), r.int(1, 3))) body[n] = value(r, n, k);
    if (r.next() < 0.2 && this.items.get(name).length > 2) {
      await this.c.request(sdk.updateItems(name, r.sample(this.items.get(name), 2), body));
      return;
    }
    await this.c.request(sdk.updateItem(name, key, body));
  }

  async remove() {
    const got = this.pick();
    if (!got) return this.create();
    const [name, key] = got;
    const keys = this.items.get(name);
    if (keys.length > 4 && this.rng.next() < 0.25) {
      const gone = this.rng.sample(keys, 2);
      await this.c.request(sdk.deleteItems(name, gone));
      for (const g of gone) keys.splice(keys.indexOf(g), 1);
      return;
    }
    await this.c.request(sdk.deleteItem(name, key));
    keys.splice(keys.indexOf(key), 1);
  }

  async file() {
    const r = this.rng;
    const k = r.int(0, 5);
    if (k === 0 || !this.files.length) {
      if (!this.folders.length || r.next() < 0.15) {
        const f = await this.c.request(sdk.createFolder({ name: `${r.choice(['press', 'products', 'team', 'blog'])}-${r.int(1, 99)}` }));
        this.folders.push(f.id);
      }
      const fd = new FormData();
      if (r.next() < 0.7) fd.append('folder', r.choice(this.folders));
      fd.append('title', `${r.choice(WORDS)} ${r.choice(['brief', 'notes', 'export'])}`);
      const [fn, type] = r.choice([['brief.txt', 'text/plain'], ['export.csv', 'text/csv'], ['data.json', 'application/json']]);
      fd.append('file', new Blob([type === 'application/json' ? JSON.stringify({ rows: r.int(1, 99) }) : 'x,y\n'.repeat(r.int(1, 50))], { type }), fn);
      const made = await this.c.request(sdk.uploadFiles(fd));
      this.files.push(made.id);
    } else if (k === 1) await this.c.request(sdk.readFiles({ limit: r.choice([10, 50]), sort: ['-uploaded_on'], ...(r.next() < 0.5 ? { filter: { type: { _eq: 'text/plain' } } } : {}) }));
    else if (k === 2) await this.c.request(sdk.readFile(r.choice(this.files)));
    else if (k === 3) await this.c.request(sdk.readAssetRaw(r.choice(this.files), r.next() < 0.3 ? { download: true } : {})).then((s) => s && s.cancel && s.cancel());
    else if (k === 4) await this.c.request(sdk.updateFile(r.choice(this.files), { description: `${r.choice(WORDS)} asset`, tags: r.sample(['hero', 'press', 'q3'], r.int(0, 2)) }));
    else {
      const id = this.files.splice(Math.floor(r.next() * this.files.length), 1)[0];
      await this.c.request(sdk.deleteFile(id));
    }
  }

  async people() {
    const r = this.rng;
    if (!this.roles.length || (r.next() < 0.1 && this.roles.length < 4)) {
      const role = await this.c.request(sdk.createRole({ name: `${r.choice(['Editor', 'Writer', 'Reviewer', 'Partner'])} ${r.int(1, 99)}`, icon: 'badge', admin_access: false, app_access: true }));
      this.roles.push(role.id);
      for (const name of r.sample([...this.collections.keys()], Math.min(2, this.collections.size))) {
        const status = this.collections.get(name).fields.find(([, k]) => k === 'status');
        await this.c.request(sdk.createPermission({ role: role.id, collection: name, action: 'read', fields: ['*'],
          permissions: status && r.next() < 0.5 ? { [status[0]]: { _eq: 'published' } } : {} }));
        if (r.next() < 0.5) await this.c.request(sdk.createPermission({ role: role.id, collection: name, action: 'create', fields: ['*'], permissions: {}, validation: {} }));
      }
      return;
    }
    if (!this.users.length || r.next() < 0.2) {
      const email = `${r.choice(PEOPLE)}.${r.int(1, 99999)}@example.org`;
      const password = `pw-${r.int(100000, 999999)}`;
      const u = await this.c.request(sdk.createUser({ email, password, role: r.choice(this.roles), first_name: r.choice(PEOPLE), last_name: r.choice(WORDS), status: 'active' }));
      this.users.push({ id: u.id, email, password });
      return;
    }
    const k = r.int(0, 5);
    const u = r.choice(this.users);
    if (k === 0) await this.c.request(sdk.readUsers({ fields: ['id', 'email', 'role.name'], limit: 20 }));
    else if (k === 1) await this.c.request(sdk.updateUser(u.id, { title: r.choice(['Editor', 'Intern', 'Lead']), language: r.choice(['en-US', 'fr-FR']) }));
    else if (k === 2) await this.c.request(sdk.readRoles());
    else if (k === 3) await this.c.request(sdk.readPermissions({ limit: -1 }));
    else { // the user's own session: their reads and writes under the role's permissions
      const c = this.client();
      await c.login(u.email, u.password);
      await c.request(sdk.readMe({ fields: ['id', 'email', 'role'] }));
      if (this.collections.size) {
        const name = this.name();
        if (r.next() < 0.6) await c.request(sdk.readItems(name, { limit: 5 }));
        else {
          const made = await c.request(sdk.createItem(name, this.data(name)));
          this.items.get(name).push(made[this.pk(name)]);
        }
      }
      if (r.next() < 0.3) await c.request(sdk.updateMe({ appearance: r.choice(['light', 'dark', 'auto']) }));
      // no logout: the SDK's logout() never settles after the server's 204 (seen with 16.1.2), and the
      // session's token simply expires, as a closed browser tab's does
    }
  }

  async collaborate() {
    const r = this.rng;
    const got = this.pick();
    if (!got) return this.create();
    const [name, key] = got;
    const k = r.int(0, 6);
    if (k === 0) await this.c.request(sdk.createComment({ collection: name, item: String(key), comment: `${r.choice(['LGTM', 'Please fix', 'Typo in'])} ${r.choice(WORDS)}` }));
    else if (k === 1) await this.c.request(sdk.readActivities({ filter: { collection: { _eq: name } }, sort: ['-timestamp'], limit: r.choice([10, 25]) }));
    else if (k === 2) await this.c.request(sdk.readRevisions({ filter: { collection: { _eq: name }, item: { _eq: String(key) } }, limit: 10 }));
    else if (k === 3) await this.c.request(sdk.createPreset({ bookmark: `${r.choice(['My', 'Team'])} ${r.choice(WORDS)}`, collection: name, layout: r.choice(['tabular', 'cards']), layout_query: { tabular: { sort: ['-date_created'], limit: 25 } }, search: r.next() < 0.3 ? r.choice(WORDS) : null }));
    else if (k === 4 && this.versions.length) {
      const v = r.choice(this.versions);
      const c = this.collections.get(v.collection);
      if (!c) return;
      const [n, kind] = r.choice(c.fields.filter(([, x]) => !x.startsWith('m2o:')));
      await this.c.request(sdk.saveToContentVersion(v.id, { [n]: value(r, n, kind) }));
      await this.c.request(sdk.compareContentVersion(v.id));
      if (r.next() < 0.3) {
        const cmp = await this.c.request(sdk.compareContentVersion(v.id));
        await this.c.request(sdk.promoteContentVersion(v.id, cmp.mainHash));
        this.versions.splice(this.versions.indexOf(v), 1);
      }
    } else if (k === 5) {
      const coll = await this.c.request(sdk.readCollection(name));
      if (!coll.meta || !coll.meta.versioning) return;
      const v = await this.c.request(sdk.createContentVersion({ key: `draft-${r.int(1, 9999)}`, name: `${r.choice(WORDS)} draft`, collection: name, item: String(key) }));
      this.versions.push({ id: v.id, collection: name });
    } else await this.c.request(sdk.readPresets({ limit: 10 }));
  }

  async automate() {
    const r = this.rng;
    const k = r.int(0, 5);
    if (k === 0 || !this.flows.length) {
      const flow = await this.c.request(sdk.createFlow({ name: `${r.choice(['Notify', 'Sync', 'Audit'])} ${r.choice(WORDS)}`, icon: 'bolt', status: 'active',
        trigger: 'webhook', accountability: 'all', options: { method: 'POST', async: false } }));
      const op = await this.c.request(sdk.createOperation({ flow: flow.id, name: 'Log it', key: `log_${r.int(1, 999)}`, type: 'log', position_x: 19, position_y: 1,
        options: { message: `got {{$trigger.body.${r.choice(['event', 'id', 'source'])}}}` } }));
      await this.c.request(sdk.updateFlow(flow.id, { operation: op.id }));
      this.flows.push(flow.id);
    } else if (k === 1) await this.c.request(sdk.triggerFlow('POST', r.choice(this.flows), { event: r.choice(['publish', 'sync']), id: r.int(1, 999), source: r.choice(WORDS) }));
    else if (k === 2) await this.c.request(sdk.readFlows({ fields: ['*', 'operations.*'] }));
    else if (k === 3) {
      if (!this.dashboards.length || r.next() < 0.2) {
        const d = await this.c.request(sdk.createDashboard({ name: `${r.choice(WORDS)} KPIs`, icon: 'space_dashboard', note: null }));
        this.dashboards.push(d.id);
      }
      if (this.collections.size) {
        await this.c.request(sdk.createPanel({ dashboard: r.choice(this.dashboards), name: `${r.choice(['Count', 'Total'])}`, type: 'metric', position_x: 1, position_y: 1, width: 8, height: 6,
          options: { collection: this.name(), field: 'date_created', function: 'count' } }));
      }
    } else if (k === 4) await this.c.request(sdk.readDashboards({ fields: ['*', 'panels.*'] }));
    else await this.c.request(sdk.readOperations());
  }

  async server() {
    const r = this.rng;
    const k = r.int(0, 7);
    if (k === 0) await this.c.request(sdk.serverInfo());
    else if (k === 1) await this.c.request(sdk.serverHealth()).catch((e) => { if (!e.response || e.response.status !== 503) throw e; });
    else if (k === 2) await this.c.request(sdk.readSettings());
    else if (k === 3) await this.c.request(sdk.updateSettings({ project_descriptor: `${r.choice(WORDS)} content`, public_note: r.choice([null, 'Welcome']) }));
    else if (k === 4) {
      const hash = await this.c.request(sdk.generateHash(`secret-${r.int(1, 99)}`));
      await this.c.request(sdk.verifyHash(`secret-${r.int(1, 99)}`, hash));
    } else if (k === 5) await this.c.request(sdk.randomString(r.choice([16, 32])));
    else if (k === 6) await this.c.request(sdk.readExtensions());
    else await this.c.request(sdk.readMe());
  }

  async errors() {
    const r = this.rng;
    const quiet = (e) => {
      const s = e.response && e.response.status;
      if (!s || s >= 500) throw e;
      console.error(`expected: ${s} ${e.errors ? JSON.stringify(e.errors).slice(0, 120) : ''}`);
    };
    if (!this.collections.size) return this.createCollection();
    const name = this.name();
    const c = this.collections.get(name);
    const k = r.int(0, 6);
    if (k === 0) await this.c.request(sdk.readItem(name, c.pk === 'uuid' ? '00000000-0000-4000-8000-00000000' + String(r.int(1000, 9999)) : c.pk === 'slug' ? `gone-${r.int(1, 99)}` : r.int(100000, 999999))).catch(quiet);
    else if (k === 1) {
      const num = c.fields.find(([, x]) => x === 'integer');
      if (num) await this.c.request(sdk.createItem(name, { ...this.data(name), [num[0]]: 'many' })).catch(quiet);
      else await this.c.request(sdk.readItems(`no_such_${r.choice(WORDS)}`)).catch(quiet);
    } else if (k === 2) await this.c.request(sdk.readItems(name, { filter: { [c.fields[0][0]]: { _like: 'x' } } })).catch(quiet);
    else if (k === 3) await this.client().login(this.a.email, 'wrong-password').catch(quiet);
    else if (k === 4) await sdk.createDirectus(this.a.url, { globals: { fetch: timedFetch } }).with(sdk.rest()).request(sdk.readItems(name, { limit: 3 })).catch(quiet); // anonymous
    else if (k === 5) {
      const uniq = c.fields.find(([, x]) => x === 'unique');
      const keys = this.items.get(name);
      if (uniq && keys.length) {
        const it = await this.c.request(sdk.readItem(name, r.choice(keys)));
        if (it[uniq[0]]) await this.c.request(sdk.createItem(name, { ...this.data(name), [uniq[0]]: it[uniq[0]] })).catch(quiet);
      }
    } else await this.c.request(sdk.readCollection(`no_such_${r.choice(WORDS)}`)).catch(quiet);
  }
}

async function main() {
  const a = args(process.argv.slice(2), 'directus_drive.js', ['email', 'password'], 1000);
  const rng = prng(a.seed);
  const d = new Drive(a, rng);
  await d.start();
  for (let i = 0; i < 3; i++) await d.createCollection();
  const steps = [
    [() => d.createCollection(), 0.4], [() => d.schema(), 0.8], [() => d.create(), 4], [() => d.query(), 3.5], [() => d.read(), 3],
    [() => d.update(), 2], [() => d.remove(), 0.8], [() => d.file(), 1.2], [() => d.people(), 1.2], [() => d.collaborate(), 1.2],
    [() => d.automate(), 0.6], [() => d.server(), 0.6], [() => d.errors(), 0.8],
  ];
  await run(steps, rng, a, (e) => {
    const s = e.response && e.response.status;
    return `${s || e.name}: ${e.response ? e.response.url : ''} ${e.errors ? JSON.stringify(e.errors).slice(0, 200) : String(e.message || e).slice(0, 200)}`;
  });
  process.exit(0); // the SDK's token refresh timer would keep Node running
}

main().catch((e) => { console.error(e); process.exit(1); });

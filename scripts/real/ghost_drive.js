// Drive a Ghost 5 server with its own clients, `@tryghost/admin-api` and `@tryghost/content-api`.
//
//     node ghost_drive.js SERVER_URL OWNER_EMAIL PASSWORD --seed N [--rounds R] [--max-seconds S]
//
// Run by ghost.sh with the node_modules it installed (NODE_PATH). The Node twin of workload.py, as
// strapi_drive.js is. First what Ghost Admin does once on a new site (its own fetch): the owner set up,
// a session, and a custom integration whose Admin and Content API keys the clients use. Then a
// publication's newsroom: posts and pages written (HTML and Lexical bodies) under the titles and slugs its
// authors pick, tagged with the tags they name (`#internal` ones too), scheduled, published, featured,
// edited with the `updated_at` they read, deleted; members signed up with their labels and newsletters,
// edited, filtered with Ghost's NQL (`status:paid+labels:vip`); newsletters and webhooks; images, media
// and files uploaded; the site and its config read; its readers' pages through the Content API (posts by
// slug, tags, authors, settings, tiers); and the errors people hit (a post or member that is gone, an edit
// over someone else's newer one, an email taken, a filter that does not parse, a key that is wrong).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const GhostAdminAPI = require('@tryghost/admin-api');
const GhostContentAPI = require('@tryghost/content-api');
const { args, prng, run } = require('./drive');

const a = args(process.argv.slice(2), 'ghost_drive.js', ['email', 'password'], 900);
const r = prng(a.seed);
const WORDS = ['river', 'signal', 'harbor', 'ember', 'atlas', 'quiet', 'copper', 'meadow', 'orbit', 'lantern', 'tidal'];
const TAGS = ['Product updates', 'How-to', 'Engineering', 'Culture', 'Interviews', 'Release notes', 'Data & AI', 'Opinion', '#internal', '#hero'];
const LABELS = ['vip', 'beta testers', 'Conference 2026', 'press', 'churn-risk', 'from:twitter'];
const NAMES = ['Ana Lima', 'Ben Carter', 'Chloé Dubois', 'Dev Patel', 'Emma Schulz', 'Felix Wong', 'Grace Kim', 'Hiro Tanaka'];
const EVENTS = ['post.published', 'post.added', 'member.added', 'member.edited', 'page.published', 'tag.added', 'site.changed'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ghost-drive-'));
const live = { posts: [], pages: [], tags: [], members: [], newsletters: [], webhooks: [] };
let admin;
let content;
let n = 0;

const words = (k) => Array.from({ length: k }, () => r.choice(WORDS)).join(' ');
const title = () => `${words(r.int(2, 4))} ${r.choice(['', 'in 2026', '— a field guide', 'explained', 'Q' + r.int(1, 4)])}`.trim();
const html = () => Array.from({ length: r.int(1, 4) }, () => `<p>${words(r.int(6, 20))}</p>`).join('') + (r.next() < 0.3 ? `<h2>${words(2)}</h2><ul><li>${words(3)}</li></ul>` : '');
const lexical = () => JSON.stringify({ root: { children: [{ children: [{ detail: 0, format: 0, mode: 'normal', style: '', text: words(8), type: 'extended-text', version: 1 }], direction: 'ltr', format: '', indent: 0, type: 'paragraph', version: 1 }], direction: 'ltr', format: '', indent: 0, type: 'root', version: 1 } });
const future = () => new Date(Date.UTC(2027, r.int(0, 11), r.int(1, 28), r.int(6, 20))).toISOString();
// the clients send an option left undefined as an empty one (`order=`), which Ghost refuses: leave it out
const clean = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const drop = (kind, x) => { live[kind] = live[kind].filter((y) => y !== x); };

// What Ghost Admin does on a new site, through the same proxy: setup, a session, an integration.
async function setup() {
  const origin = { Origin: a.url, 'Content-Type': 'application/json', Accept: 'application/json' };
  const call = async (p, method, body, headers = origin) => {
    const res = await fetch(`${a.url}/ghost/api/admin/${p}`, { method, headers, body: body && JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return res;
  };
  await call('authentication/setup/', 'POST', { setup: [{ name: 'Site Owner', email: a.email, password: a.password, blogTitle: 'The Lantern' }] });
  const login = await call('session/', 'POST', { username: a.email, password: a.password });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  // Ghost answers the login before its session store has the session: Ghost Admin's next call comes later
  await new Promise((done) => setTimeout(done, 1000));
  const res = await call('integrations/?include=api_keys', 'POST', { integrations: [{ name: 'Newsroom scripts' }] }, { ...origin, Cookie: cookie });
  const keys = (await res.json()).integrations[0].api_keys;
  const adminKey = keys.find((k) => k.type === 'admin');
  const contentKey = keys.find((k) => k.type === 'content');
  admin = new GhostAdminAPI({ url: a.url, key: adminKey.secret.includes(':') ? adminKey.secret : `${adminKey.id}:${adminKey.secret}`, version: 'v5.0' });
  content = new GhostContentAPI({ url: a.url, key: contentKey.secret, version: 'v5.0' });
}

async function addTag() {
  const name = r.next() < 0.6 ? `${r.choice(TAGS)} ${++n}` : `${words(2)} ${++n}`;
  const tag = await admin.tags.add({ name, description: words(8), accent_color: r.choice(['#ff5733', '#1e90ff', '#2ecc71']), visibility: name.startsWith('#') ? 'internal' : 'public', meta_title: r.next() < 0.3 ? words(3) : undefined });
  live.tags.push(tag);
}

async function addPost(kind = 'posts') {
  const data = { title: title(), status: r.choice(['draft', 'draft', 'published', 'scheduled']), featured: r.next() < 0.2, custom_excerpt: r.next() < 0.5 ? words(10) : undefined };
  if (data.status === 'scheduled') data.published_at = future();
  const opts = {};
  if (r.next() < 0.6) { data.html = html(); opts.source = 'html'; } else data.lexical = lexical();
  if (live.tags.length && kind === 'posts') data.tags = r.sample(live.tags, r.int(0, 3)).map((t) => (r.next() < 0.5 ? { id: t.id } : { name: t.name }));
  if (r.next() < 0.3) data.tags = [...(data.tags || []), `${r.choice(TAGS)} ${++n}`];
  if (r.next() < 0.3) data.slug = `${r.choice(WORDS)}-${r.choice(['launch', 'guide', 'recap'])}-${++n}`;
  if (r.next() < 0.2) Object.assign(data, { meta_title: words(4), meta_description: words(12), og_title: words(3), twitter_description: words(6) });
  if (kind === 'posts' && r.next() < 0.3) data.visibility = r.choice(['members', 'paid', 'public']);
  const made = await admin[kind].add(data, opts);
  live[kind].push(made);
}

function browseOpts(kind) {
  const o = { limit: r.choice([5, 15, 'all']), page: r.int(1, 2) };
  if (r.next() < 0.5) o.filter = r.choice(kind === 'posts' ? ['status:draft', 'featured:true', 'status:published+featured:false', 'tag:[how-to,engineering]', `published_at:>'2026-01-01'`, 'visibility:members'] : ['status:published', 'status:draft']);
  if (r.next() < 0.5) o.include = r.choice(['tags,authors', 'tags', 'authors', 'count.posts']);
  if (r.next() < 0.4) o.order = r.choice(['published_at DESC', 'title ASC', 'updated_at DESC']);
  if (r.next() < 0.3) o.fields = r.choice(['id,title,slug', 'id,title,status,updated_at']);
  if (r.next() < 0.3) o.formats = r.choice(['html', 'plaintext', 'html,lexical']);
  return o;
}

async function readPost(kind = 'posts') {
  if (!live[kind].length) return addPost(kind);
  const p = r.choice(live[kind]);
  const by = r.next() < 0.7 ? { id: p.id } : { slug: p.slug };
  return admin[kind].read(by, r.next() < 0.5 ? { formats: r.choice(['html', 'mobiledoc,lexical']), include: 'tags,authors' } : {});
}

async function editPost(kind = 'posts') {
  if (!live[kind].length) return addPost(kind);
  const old = r.choice(live[kind]);
  const fresh = await admin[kind].read({ id: old.id });
  const change = { id: old.id, updated_at: fresh.updated_at };
  const x = r.next();
  const opts = {};
  if (x < 0.3) change.title = title();
  else if (x < 0.5) change.status = fresh.status === 'published' ? 'draft' : 'published';
  else if (x < 0.65) { change.html = html(); opts.source = 'html'; } else if (x < 0.8) change.featured = !fresh.featured;
  else if (x < 0.9 && live.tags.length) change.tags = r.sample(live.tags, r.int(1, 2)).map((t) => ({ id: t.id }));
  else change.custom_excerpt = words(9);
  if (kind === 'posts' && change.status === 'published' && r.next() < 0.3) opts.newsletter = undefined;
  const edited = await admin[kind].edit(change, opts);
  live[kind] = live[kind].map((p) => (p.id === old.id ? edited : p));
}

async function deletePost(kind = 'posts') {
  if (live[kind].length < 4) return addPost(kind);
  const p = r.choice(live[kind]);
  drop(kind, p);
  return admin[kind].delete({ id: p.id });
}

async function tags() {
  const x = r.next();
  if (x < 0.3 || !live.tags.length) return addTag();
  if (x < 0.55) return admin.tags.browse(clean({ limit: r.choice([10, 'all']), include: r.next() < 0.5 ? 'count.posts' : undefined, filter: r.next() < 0.3 ? 'visibility:internal' : undefined, order: r.next() < 0.3 ? 'name ASC' : undefined }));
  const t = r.choice(live.tags);
  if (x < 0.7) return admin.tags.read(r.next() < 0.5 ? { id: t.id } : { slug: t.slug });
  if (x < 0.9) return admin.tags.edit({ id: t.id, description: words(6), meta_description: r.next() < 0.3 ? words(10) : undefined });
  drop('tags', t);
  return admin.tags.delete({ id: t.id });
}

async function members() {
  const x = r.next();
  if (x < 0.3 || !live.members.length) {
    const who = r.choice(NAMES);
    const data = { email: `${who.split(' ')[0].toLowerCase()}.${++n}@readers.test`, name: who, note: r.next() < 0.3 ? words(5) : undefined,
      labels: r.sample(LABELS, r.int(0, 2)).map((l) => (r.next() < 0.5 ? l : { name: l })) };
    if (live.newsletters.length && r.next() < 0.5) data.newsletters = r.sample(live.newsletters, 1).map((nl) => ({ id: nl.id }));
    const m = await admin.members.add(data, r.next() < 0.2 ? { send_email: false } : {});
    live.members.push(m);
    return m;
  }
  if (x < 0.55) return admin.members.browse(clean({ limit: r.choice([15, 50]), filter: r.next() < 0.5 ? r.choice(['status:free', 'label:vip', `email:~'readers.test'`, 'subscribed:true', 'status:free+label:[vip,press]']) : undefined, order: r.next() < 0.3 ? 'created_at desc' : undefined, search: r.next() < 0.2 ? r.choice(NAMES).split(' ')[0] : undefined }));
  const m = r.choice(live.members);
  if (x < 0.7) return admin.members.read({ id: m.id });
  if (x < 0.9) return admin.members.edit({ id: m.id, name: r.choice(NAMES), note: words(4), labels: r.sample(LABELS, r.int(0, 3)) });
  drop('members', m);
  return admin.members.delete({ id: m.id });
}

async function newsletters() {
  const x = r.next();
  if ((x < 0.3 && live.newsletters.length < 6) || !live.newsletters.length) {
    const nl = await admin.newsletters.add({ name: `${r.choice(['Weekly digest', 'Engineering notes', 'Product briefing', 'Jobs board'])} ${++n}`, description: words(6), sender_reply_to: 'newsletter', subscribe_on_signup: r.next() < 0.5, show_header_title: r.next() < 0.5 });
    live.newsletters.push(nl);
    return nl;
  }
  if (x < 0.6) return admin.newsletters.browse(clean({ limit: 'all', filter: r.next() < 0.5 ? 'status:active' : undefined }));
  const nl = r.choice(live.newsletters);
  if (x < 0.8) return admin.newsletters.read({ id: nl.id });
  return admin.newsletters.edit({ id: nl.id, description: words(7), show_badge: r.next() < 0.5, footer_content: r.next() < 0.3 ? `<p>${words(5)}</p>` : undefined });
}

async function webhooks() {
  if (r.next() < 0.5 || !live.webhooks.length) {
    const w = await admin.webhooks.add({ event: r.choice(EVENTS), target_url: `http://127.0.0.1:9/hooks/${r.choice(['slack', 'zapier', 'search-index'])}/${++n}`, name: `${r.choice(['Slack', 'Search index', 'CRM'])} sync`, secret: r.next() < 0.5 ? `whsec_${r.int(1e6, 9e6)}` : undefined });
    live.webhooks.push(w);
    return w;
  }
  const w = r.choice(live.webhooks);
  if (r.next() < 0.6) return admin.webhooks.edit({ id: w.id, event: r.choice(EVENTS), name: `${words(2)} hook` });
  drop('webhooks', w);
  return admin.webhooks.delete({ id: w.id });
}

async function uploads() {
  const x = r.next();
  const file = path.join(tmp, `${r.choice(['cover', 'chart', 'team photo', 'press-kit'])}-${++n}`);
  if (x < 0.5) {
    // a 1x1 PNG: the smallest image Ghost's upload validation accepts
    fs.writeFileSync(`${file}.png`, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'));
    return admin.images.upload({ file: `${file}.png`, ref: r.next() < 0.5 ? `${r.choice(WORDS)}.png` : undefined, purpose: r.choice(['image', 'profile_image', 'icon']) === 'icon' ? 'image' : 'image' });
  }
  fs.writeFileSync(`${file}.pdf`, `%PDF-1.4\n% ${words(6)}\n%%EOF\n`);
  return admin.files.upload({ file: `${file}.pdf`, ref: r.next() < 0.5 ? 'whitepaper.pdf' : undefined });
}

async function site() {
  const x = r.next();
  if (x < 0.4) return admin.site.read();
  if (x < 0.6) return admin.config.read();
  if (x < 0.8) return admin.users.browse(clean({ include: r.next() < 0.5 ? 'count.posts' : undefined, limit: 'all' }));
  const users = await admin.users.browse();
  return admin.users.read({ id: users[0].id }, { include: 'roles' });
}

// The site's readers, through the Content API.
async function readers() {
  const x = r.next();
  if (x < 0.35) return content.posts.browse(clean({ limit: r.choice([5, 10]), page: r.int(1, 3), include: r.next() < 0.5 ? 'tags,authors' : undefined, filter: r.next() < 0.4 ? r.choice(['featured:true', 'tag:how-to', `published_at:>'2026-06-01'`]) : undefined, fields: r.next() < 0.3 ? 'title,slug,url' : undefined }));
  const pub = live.posts.filter((p) => p.status === 'published');
  if (x < 0.55 && pub.length) return content.posts.read(r.next() < 0.6 ? { slug: r.choice(pub).slug } : { id: r.choice(pub).id }, { include: 'tags' });
  if (x < 0.7) return content.tags.browse(clean({ limit: 'all', include: r.next() < 0.5 ? 'count.posts' : undefined }));
  if (x < 0.8) return content.authors.browse({ include: 'count.posts' });
  if (x < 0.87) return content.settings.browse();
  if (x < 0.94) return content.pages.browse({ limit: 10 });
  return content.tiers.browse({ include: 'monthly_price,yearly_price' });
}

async function mistake() {
  const x = r.next();
  if (x < 0.2) return admin.posts.read({ id: `${r.int(100000, 999999)}abcdef0123456789` });
  if (x < 0.35 && live.posts.length) return admin.posts.edit({ id: r.choice(live.posts).id, updated_at: '2020-01-01T00:00:00.000Z', title: title() });
  if (x < 0.5 && live.members.length) return admin.members.add({ email: r.choice(live.members).email, name: r.choice(NAMES) });
  if (x < 0.6) return admin.members.add({ email: `not an email ${++n}` });
  if (x < 0.72) return admin.posts.browse({ filter: r.choice(['status:', 'tag:[how-to', 'title:~']) });
  if (x < 0.82) return admin.tags.add({ description: words(3) });
  if (x < 0.9) return content.posts.read({ slug: `${r.choice(WORDS)}-missing-${++n}` });
  return new GhostAdminAPI({ url: a.url, key: `${'a'.repeat(24)}:${'b'.repeat(64)}`, version: 'v5.0' }).posts.browse();
}

const steps = [
  [() => addPost('posts'), 8], [() => admin.posts.browse(browseOpts('posts')), 8], [() => readPost('posts'), 6], [() => editPost('posts'), 7], [() => deletePost('posts'), 2],
  [() => addPost('pages'), 3], [() => admin.pages.browse(browseOpts('pages')), 3], [() => readPost('pages'), 2], [() => editPost('pages'), 2], [() => deletePost('pages'), 1],
  [tags, 6], [members, 9], [newsletters, 2], [webhooks, 2], [uploads, 3], [site, 2], [readers, 8], [mistake, 5],
];

function describe(e) {
  return `${e.name}: ${e.response ? `${e.response.status} ${e.request && e.request.url}` : e.message}`.slice(0, 200);
}

(async () => {
  await setup();
  for (const [f, k] of [[addTag, 6], [newsletters, 2], [() => addPost('posts'), 6], [() => addPost('pages'), 2], [members, 4]]) {
    for (let i = 0; i < k; i++) {
      try { await f(); } catch (e) { console.error(describe(e)); }
    }
  }
  await run(steps, r, a, describe);
  fs.rmSync(tmp, { recursive: true, force: true });
})();

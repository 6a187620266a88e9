// Drive a NocoDB server with its own client, `nocodb-sdk` (its `Api`, the client NocoDB's own web app uses).
//
//     node nocodb_drive.js SERVER_URL ADMIN_EMAIL PASSWORD --seed N [--rounds R] [--max-seconds S]
//
// Run by nocodb.sh with the node_modules it installed (NODE_PATH). The Node twin of workload.py, as
// ghost_drive.js is. NocoDB is a spreadsheet-like front end on a database whose data model is the user's:
// a small company's bases (`Sales CRM`, `Hiring pipeline 2026`, `Inventory – Berlin`) and their tables
// (`Companies`, `Deals`, `Candidates`, `Products`), whose column titles (`Deal name`, `Close date`,
// `Qty on hand`, `Is renewal?`) are the keys of every record body. The data model is the same in both
// samples; the seed varies what is done with it: records created, listed with NocoDB's where syntax
// (`(Stage,eq,Won)~and(Amount,gt,5000)`), sorted, paged, read, updated in part, in bulk, deleted, through
// the v1 data API (the table's title in the path) and the v2 one (its id); views (grid, form, gallery,
// kanban) with their filters, sorts, column visibility and shares read anonymously; columns added,
// renamed, dropped; links between deals and companies; comments on records; webhooks; attachments
// uploaded and set on records; API tokens, base members, the base's audit log; and the errors people hit
// (a record or table that is gone, a where that does not parse, a token that is wrong).
'use strict';

const { Api } = require('nocodb-sdk');
const { args, prng, run } = require('./drive');

const a = args(process.argv.slice(2), 'nocodb_drive.js', ['email', 'password'], 1000);
const r = prng(a.seed);
const WORDS = ['north', 'copper', 'signal', 'harbor', 'maple', 'vertex', 'lumen', 'atlas', 'quartz', 'delta', 'cobalt'];
const FIRST = ['Ana', 'Ben', 'Chloé', 'Dev', 'Emma', 'Felix', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Lars'];
const LAST = ['Lima', 'Carter', 'Dubois', 'Patel', 'Schulz', 'Wong', 'Kim', 'Tanaka', "O'Neil", 'Nowak'];
const INDUSTRY = ['SaaS', 'Retail', 'Logistics', 'Healthcare', 'Fintech', 'Manufacturing'];
const STAGE = ['Lead', 'Qualified', 'Proposal', 'Negotiation', 'Won', 'Lost'];
const TAGS = ['enterprise', 'SMB', 'inbound', 'partner', 'upsell', 'Q3 push'];
const ROLES = ['Backend engineer', 'Product designer', 'Data analyst', 'Support lead', 'SRE'];
const SOURCES = ['Referral', 'LinkedIn', 'Job board', 'Career page', 'Agency'];
const CATEGORY = ['Cables', 'Chargers', 'Cases', 'Audio', 'Storage'];
const SPEC_KEYS = ['voltage (V)', 'weight_g', 'color', 'warranty', 'USB-C', 'ean'];

const text = (k) => Array.from({ length: k }, () => r.choice(WORDS)).join(' ');
const person = () => `${r.choice(FIRST)} ${r.choice(LAST)}`;
const day = () => `2026-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
const select = (title, options) => ({ column_name: snake(title), title, uidt: 'SingleSelect', dtxp: options.map((o) => `'${o}'`).join(','), colOptions: { options: options.map((o) => ({ title: o })) } });
const multi = (title, options) => ({ ...select(title, options), uidt: 'MultiSelect' });
const col = (title, uidt, extra = {}) => ({ column_name: snake(title), title, uidt, ...extra });
function snake(title) { return title.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, ''); }

// The company's data model: base title -> table title -> [columns, record maker].
const MODEL = {
  'Sales CRM': {
    Companies: [[col('Name', 'SingleLineText'), col('Website', 'URL'), select('Industry', INDUSTRY), col('Employees', 'Number'), col('Notes', 'LongText')],
      () => ({ Name: `${r.choice(WORDS)} ${r.choice(['GmbH', 'Inc.', 'Ltd', 'AB', '& Co'])} ${r.int(1, 999)}`, Website: `https://${r.choice(WORDS)}.example.com`, Industry: r.choice(INDUSTRY), Employees: r.int(3, 5000), Notes: r.next() < 0.5 ? text(8) : undefined })],
    Deals: [[col('Deal name', 'SingleLineText'), col('Amount', 'Currency'), select('Stage', STAGE), col('Close date', 'Date'), col('Probability', 'Percent'), multi('Tags', TAGS), col('Is renewal?', 'Checkbox'), col('Custom fields', 'JSON')],
      () => ({ 'Deal name': `${r.choice(WORDS)} ${r.choice(['renewal', 'pilot', 'expansion', 'license'])} ${r.int(1, 99)}`, Amount: r.int(500, 90000), Stage: r.choice(STAGE), 'Close date': day(), Probability: r.int(0, 100), Tags: r.sample(TAGS, r.int(0, 3)).join(','), 'Is renewal?': r.next() < 0.3, 'Custom fields': r.next() < 0.6 ? JSON.stringify(Object.fromEntries(r.sample(['po number', 'region', 'champion', 'competitor', 'legal-review'], r.int(1, 3)).map((k) => [k, text(1)]))) : undefined })],
  },
  'Hiring pipeline 2026': {
    Candidates: [[col('Full name', 'SingleLineText'), col('Email', 'Email'), col('Phone', 'PhoneNumber'), select('Role', ROLES), col('Rating', 'Rating'), select('Source', SOURCES), col('Applied on', 'Date'), col('Resume', 'Attachment')],
      () => { const p = person(); return { 'Full name': p, Email: `${p.split(' ')[0].toLowerCase()}.${r.int(1, 999)}@mail.example`, Phone: `+49 30 ${r.int(1000000, 9999999)}`, Role: r.choice(ROLES), Rating: r.int(1, 5), Source: r.choice(SOURCES), 'Applied on': day() }; }],
  },
  'Inventory – Berlin': {
    Products: [[col('SKU', 'SingleLineText'), col('Product name', 'SingleLineText'), col('Price', 'Decimal'), col('Qty on hand', 'Number'), select('Category', CATEGORY), col('In stock', 'Checkbox'), col('Specs', 'JSON'), col('Photos', 'Attachment')],
      () => ({ SKU: `${r.choice(['CBL', 'CHG', 'CSE', 'AUD'])}-${r.int(1000, 9999)}`, 'Product name': `${r.choice(WORDS)} ${r.choice(CATEGORY).toLowerCase()}`, Price: Number((r.int(199, 19999) / 100).toFixed(2)), 'Qty on hand': r.int(0, 400), Category: r.choice(CATEGORY), 'In stock': r.next() < 0.8, Specs: JSON.stringify(Object.fromEntries(r.sample(SPEC_KEYS, r.int(1, 4)).map((k) => [k, r.next() < 0.5 ? r.int(1, 240) : text(1)]))) })],
  },
};

let api; // the admin's session (xc-auth), as NocoDB's web app calls it
let scripts; // an API token (xc-token), as the company's scripts call it
const tables = []; // { base, table, title, columns, rows: [ids], views: [], make }
const hooks = [];
const shares = [];
const tokens = [];
let n = 0;

const strip = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const pick = () => r.choice(tables);
const pickRow = (t) => (t.rows.length ? r.choice(t.rows) : null);
const column = (t, title) => t.columns.find((c) => c.title === title);
const dataCol = (t) => r.choice(t.columns.filter((c) => !c.system && !['Attachment', 'JSON', 'Links', 'LinkToAnotherRecord'].includes(c.uidt)));

async function setup() {
  const anon = new Api({ baseURL: a.url });
  const { token } = await anon.auth.signin({ email: a.email, password: a.password });
  api = new Api({ baseURL: a.url, headers: { 'xc-auth': token } });
  await api.auth.me();
  await api.utils.appInfo();
  for (const [baseTitle, model] of Object.entries(MODEL)) {
    const base = await api.base.create({ title: baseTitle, meta: JSON.stringify({ iconColor: r.choice(['#36BFFF', '#FA8231', '#7D26CD']) }) });
    for (const [title, [columns, make]] of Object.entries(model)) {
      const t = await api.dbTable.create(base.id, { table_name: snake(title), title, columns: [col('Id', 'ID', { column_name: 'id', pk: true, ai: true }), ...columns] });
      tables.push({ base: base.id, baseTitle, table: t.id, title, columns: t.columns, rows: [], views: [], make });
    }
    const tok = await api.apiToken.create(base.id, { description: `${baseTitle} sync script` });
    tokens.push({ base: base.id, id: tok.id, token: tok.token });
  }
  scripts = new Api({ baseURL: a.url, headers: { 'xc-token': tokens[0].token } });
  // deals link to the company they are with (a has-many from Companies), when the server takes it
  const [companies, deals] = tables;
  try {
    await api.dbTableColumn.create(companies.table, { title: 'Deals', column_name: 'deals', uidt: 'Links', parentId: companies.table, childId: deals.table, type: 'hm' });
    await refresh(companies); await refresh(deals);
  } catch (e) { console.error('link column:', describe(e)); }
  for (const t of tables) for (let i = 0; i < 6; i++) await addRecord(t);
}

async function refresh(t) { t.columns = (await api.dbTable.read(t.table)).columns; }

async function addRecord(t = pick()) {
  const row = strip(t.make());
  const use = t.base === tokens[0].base && r.next() < 0.5 ? scripts : api;
  if (r.next() < 0.5) {
    const got = await use.dbTableRow.create('noco', t.base, t.title, row);
    t.rows.push(got.Id ?? got.id);
  } else {
    const got = await use.dbDataTableRow.create(t.table, row);
    t.rows.push(got.Id ?? got.id);
  }
}

async function addBulk() {
  const t = pick();
  const rows = Array.from({ length: r.int(2, 6) }, () => strip(t.make()));
  const got = r.next() < 0.5 ? await api.dbDataTableRow.create(t.table, rows) : await api.dbTableRow.bulkCreate('noco', t.base, t.title, rows);
  // v2 answers the new records' ids as objects, v1's bulk insert as bare ids
  for (const x of got) t.rows.push(typeof x === 'object' ? x.Id ?? x.id : x);
}

function where(t) {
  const c = dataCol(t);
  const v = { Number: r.int(1, 500), Currency: r.int(1000, 50000), Decimal: r.int(5, 150), Percent: r.int(10, 90), Rating: r.int(1, 5), Checkbox: 'true', Date: 'exactDate,' + day() }[c.uidt];
  const op = v === undefined ? r.choice(['eq', 'like', 'neq']) : (c.uidt === 'Checkbox' || c.uidt === 'Date' ? 'eq' : r.choice(['gt', 'lt', 'gte', 'eq']));
  const val = v ?? (c.colOptions?.options?.length ? r.choice(c.colOptions.options).title : `%${r.choice(WORDS)}%`);
  const one = `(${c.title},${op},${val})`;
  return r.next() < 0.3 ? `${one}~and(${t.columns.find((x) => x.uidt === 'ID').title},gt,${r.int(1, 5)})` : one;
}

async function listRecords() {
  const t = pick();
  // NocoDB answers an offset past the last match with a 422: pages are asked of unfiltered lists, mostly
  const w = r.next() < 0.6 ? where(t) : undefined;
  const q = strip({ limit: r.choice([10, 25, 50, undefined]), offset: r.next() < (w ? 0.05 : 0.3) ? r.int(1, Math.max(1, t.rows.length - 1)) : undefined, where: w, sort: r.next() < 0.5 ? `${r.choice(['', '-'])}${dataCol(t).title}` : undefined, fields: r.next() < 0.3 ? r.sample(t.columns.filter((c) => !c.system), 3).map((c) => c.title).join(',') : undefined });
  if (r.next() < 0.5) await api.dbDataTableRow.list(t.table, q);
  else await (t.base === tokens[0].base && r.next() < 0.5 ? scripts : api).dbTableRow.list('noco', t.base, t.title, q);
  if (r.next() < 0.3) await api.dbDataTableRow.count(t.table, strip({ where: q.where }));
}

async function readRecord() {
  const t = pick(); const id = pickRow(t); if (!id) return addRecord(t);
  if (r.next() < 0.5) await api.dbDataTableRow.read(t.table, String(id), r.next() < 0.3 ? { fields: dataCol(t).title } : undefined);
  else await api.dbTableRow.read('noco', t.base, t.title, id);
  if (r.next() < 0.2) await api.dbTableRow.exist('noco', t.base, t.title, id);
}

async function findOne() {
  const t = pick();
  await api.dbTableRow.findOne('noco', t.base, t.title, { where: where(t) });
}

async function groupBy() {
  const t = pick(); const c = t.columns.find((x) => x.uidt === 'SingleSelect');
  await api.dbTableRow.groupBy('noco', t.base, t.title, { column_name: c.title, limit: 10 });
}

// a partial update: the fields someone edited in a cell or a form, nothing else
async function updateRecord() {
  const t = pick(); const id = pickRow(t); if (!id) return addRecord(t);
  const full = strip(t.make());
  const part = Object.fromEntries(r.sample(Object.entries(full), r.int(1, 3)));
  if (r.next() < 0.5) await api.dbDataTableRow.update(t.table, { Id: id, ...part });
  else await api.dbTableRow.update('noco', t.base, t.title, id, part);
}

async function bulkUpdate() {
  const t = pick(); if (t.rows.length < 2) return addBulk();
  const ids = r.sample(t.rows, r.int(2, 4)); const c = dataCol(t); const v = strip(t.make())[c.title];
  if (v === undefined) return;
  if (r.next() < 0.5) await api.dbDataTableRow.update(t.table, ids.map((id) => ({ Id: id, [c.title]: v })));
  else await api.dbTableRow.bulkUpdate('noco', t.base, t.title, ids.map((id) => ({ Id: id, [c.title]: v })));
}

async function deleteRecord() {
  const t = pick(); if (t.rows.length < 4) return addRecord(t);
  const id = r.choice(t.rows.filter((x) => x !== undefined)); t.rows = t.rows.filter((x) => x !== id);
  if (r.next() < 0.5) await api.dbDataTableRow.delete(t.table, { Id: id });
  else await api.dbTableRow.delete('noco', t.base, t.title, id);
}

async function bulkDelete() {
  const t = pick(); if (t.rows.length < 8) return addBulk();
  const ids = r.sample(t.rows, 2); t.rows = t.rows.filter((x) => !ids.includes(x));
  await api.dbTableRow.bulkDelete('noco', t.base, t.title, ids.map((id) => ({ Id: id })));
}

const VIEW_KINDS = ['gridCreate', 'gridCreate', 'formCreate', 'galleryCreate', 'kanbanCreate'];
async function addView() {
  const t = pick(); const kind = r.choice(VIEW_KINDS);
  const body = { title: `${r.choice(['Open', 'My', 'This quarter', 'Top', 'Needs review'])} ${t.title.toLowerCase()} ${++n}` };
  if (kind === 'kanbanCreate') body.fk_grp_col_id = t.columns.find((c) => c.uidt === 'SingleSelect').id;
  const v = await api.dbView[kind](t.table, body);
  t.views.push(v);
  if (r.next() < 0.7) await api.dbTableFilter.create(v.id, { fk_column_id: dataCol(t).id, comparison_op: r.choice(['eq', 'neq', 'like', 'notempty']), value: r.choice(WORDS) });
  if (r.next() < 0.6) await api.dbTableSort.create(v.id, { fk_column_id: dataCol(t).id, direction: r.choice(['asc', 'desc']) });
}

async function useView() {
  const t = pick(); if (!t.views.length) return addView();
  const v = r.choice(t.views);
  const x = r.int(0, 9);
  if (x < 3) await api.dbViewRow.list('noco', t.base, t.title, v.title, strip({ limit: r.choice([10, 25, undefined]) }));
  else if (x < 4) await api.dbViewRow.count('noco', t.base, t.title, v.title);
  else if (x < 5) { const fs = await api.dbTableFilter.read(v.id); const f = fs.list?.[0]; if (f) await (r.next() < 0.5 ? api.dbTableFilter.update(f.id, { comparison_op: 'like', value: `%${r.choice(WORDS)}%`, fk_column_id: f.fk_column_id }) : api.dbTableFilter.delete(f.id)); }
  else if (x < 6) { const ss = await api.dbTableSort.list(v.id); const s = ss.list?.[0]; if (s) await (r.next() < 0.5 ? api.dbTableSort.update(s.id, { fk_column_id: s.fk_column_id, direction: s.direction === 'asc' ? 'desc' : 'asc' }) : api.dbTableSort.delete(s.id)); }
  else if (x < 7) { const cs = await api.dbViewColumn.list(v.id); const c = r.choice(cs.list || []); if (c) await api.dbViewColumn.update(v.id, c.id, { show: r.next() < 0.5, order: r.int(1, 9) }); }
  else if (x < 8) { const nv = await api.dbView.update(v.id, { title: `${v.title.split(' (')[0]} (${++n})` }); v.title = nv.title ?? v.title; if (!nv.title) { const vs = await api.dbView.list(t.table); v.title = (vs.list.find((y) => y.id === v.id) || v).title; } }
  else if (x < 9) { const s = await api.dbViewShare.create(v.id); shares.push(s.uuid); if (r.next() < 0.5) await api.dbViewShare.update(v.id, { meta: JSON.stringify({ allowCSVDownload: r.next() < 0.5 }) }); }
  else { t.views = t.views.filter((y) => y !== v); await api.dbView.delete(v.id); }
  if (r.next() < 0.2) await api.dbView.list(t.table);
}

// a shared view's link opened by someone without an account
async function readShare() {
  if (!shares.length) return useView();
  const anon = new Api({ baseURL: a.url });
  const uuid = r.choice(shares);
  if (r.next() < 0.5) await anon.public.dataList(uuid, { limit: 25 });
  else await anon.public.sharedViewMetaGet(uuid);
}

async function changeColumn() {
  const t = pick(); const x = r.int(0, 2);
  if (x === 0 || !t.columns.some((c) => c.title.startsWith('Extra'))) {
    const [title, uidt] = r.choice([['Extra owner', 'SingleLineText'], ['Extra score', 'Number'], ['Extra due', 'Date'], ['Extra reviewed?', 'Checkbox']]);
    await api.dbTableColumn.create(t.table, col(`${title} ${++n}`, uidt));
  } else {
    const c = r.choice(t.columns.filter((y) => y.title.startsWith('Extra')));
    if (x === 1) await api.dbTableColumn.update(c.id, { ...c, title: `${c.title.replace(/ \(renamed.*$/, '')} (renamed ${++n})`, column_name: c.column_name });
    else await api.dbTableColumn.delete(c.id);
  }
  await refresh(t);
}

async function link() {
  const companies = tables[0]; const deals = tables[1];
  const c = companies.columns.find((y) => y.uidt === 'Links' || y.uidt === 'LinkToAnotherRecord');
  if (!c) return readRecord();
  const id = pickRow(companies); if (!id || !deals.rows.length) return addRecord(companies);
  if (r.next() < 0.6) await api.dbDataTableRow.nestedLink(companies.table, c.id, String(id), r.sample(deals.rows, r.int(1, 2)).map((d) => ({ Id: d })));
  else await api.dbDataTableRow.nestedList(companies.table, c.id, String(id), { limit: 10 });
}

async function comment() {
  const t = pick(); const id = pickRow(t); if (!id) return addRecord(t);
  if (r.next() < 0.6) await api.utils.commentRow({ fk_model_id: t.table, row_id: String(id), comment: `${r.choice(['@Ben', 'FYI', 'Followed up:', 'Call scheduled —'])} ${text(6)}` });
  else await api.utils.commentList({ fk_model_id: t.table, row_id: String(id) });
}

async function webhook() {
  const t = pick();
  if (hooks.length && r.next() < 0.4) {
    const h = hooks.splice(r.int(0, hooks.length - 1), 1)[0];
    return r.next() < 0.5 ? api.dbTableWebhook.delete(h.id) : api.dbTableWebhook.update(h.id, { ...h, title: `${h.title} v${++n}`, active: false });
  }
  if (r.next() < 0.3) return api.dbTableWebhook.list(t.table);
  const h = await api.dbTableWebhook.create(t.table, { title: `Notify ${r.choice(['#sales', 'ops', 'Zapier', 'ERP sync'])} ${++n}`, event: 'after', operation: r.choice(['insert', 'update', 'delete']), version: 'v2', active: false,
    notification: { type: 'URL', payload: { method: 'POST', path: `http://127.0.0.1:9/hooks/${r.choice(WORDS)}`, body: '{{ json data }}', headers: [{ name: 'X-Team', value: r.choice(WORDS) }], parameters: [] } } });
  hooks.push(h);
}

async function upload() {
  const t = tables.find((x) => x.title === (r.next() < 0.5 ? 'Candidates' : 'Products'));
  const id = pickRow(t); if (!id) return addRecord(t);
  const [name, type, body] = r.choice([[`resume-${++n}.pdf`, 'application/pdf', `%PDF-1.4\n${text(20)}\n%%EOF`], [`photo_${++n}.png`, 'image/png', '\x89PNG\r\n' + text(10)], [`notes ${++n}.txt`, 'text/plain', text(30)]]);
  const file = new File([Buffer.from(body, 'binary')], name, { type });
  const got = await api.storage.upload({ path: `noco/${t.baseTitle}/${t.title}/${t.title === 'Candidates' ? 'Resume' : 'Photos'}` }, { files: [file] });
  await api.dbDataTableRow.update(t.table, { Id: id, [t.title === 'Candidates' ? 'Resume' : 'Photos']: got });
}

async function admin() {
  const x = r.int(0, 7); const t = pick();
  if (x === 0) await api.base.list();
  else if (x === 1) await api.base.read(t.base);
  else if (x === 2) await api.dbTable.list(t.base);
  else if (x === 3) await api.dbTable.read(t.table);
  else if (x === 4) await api.base.auditList(t.base, { limit: 25, offset: r.int(0, 5) });
  else if (x === 5) await api.apiToken.list(t.base);
  else if (x === 6) await api.auth.baseUserAdd(t.base, { email: `${r.choice(FIRST).toLowerCase()}.${++n}@team.example`, roles: r.choice(['editor', 'viewer', 'commenter']) });
  else await api.auth.baseUserList(t.base);
}

async function mistakes() {
  const t = pick(); const x = r.int(0, 5);
  if (x === 0) await api.dbDataTableRow.read(t.table, String(90000 + r.int(1, 999)));
  else if (x === 1) await api.dbTableRow.list('noco', t.base, `${t.title} archive`, { limit: 5 });
  else if (x === 2) await api.dbDataTableRow.list(t.table, { where: `(${dataCol(t).title},eq` });
  else if (x === 3) await new Api({ baseURL: a.url, headers: { 'xc-token': 'not-a-token' } }).dbDataTableRow.list(t.table, { limit: 5 });
  else if (x === 4) await api.dbTable.create(t.base, { table_name: snake(t.title), title: t.title, columns: [col('Id', 'ID', { column_name: 'id', pk: true, ai: true })] });
  else await api.dbTableRow.update('noco', t.base, t.title, 90000 + r.int(1, 999), { [dataCol(t).title]: null });
}

function describe(e) {
  const res = e.response;
  return res ? `${res.status} ${res.config?.method} ${res.config?.url}: ${JSON.stringify(res.data).slice(0, 160)}` : String(e.stack || e).slice(0, 300);
}

(async () => {
  await setup();
  await run([
    [addRecord, 14], [addBulk, 4], [listRecords, 16], [readRecord, 9], [findOne, 2], [groupBy, 2], [updateRecord, 12],
    [bulkUpdate, 3], [deleteRecord, 5], [bulkDelete, 1], [addView, 4], [useView, 10], [readShare, 2], [changeColumn, 3],
    [link, 3], [comment, 4], [webhook, 2], [upload, 3], [admin, 5], [mistakes, 4],
  ], r, a, describe);
})().catch((e) => { console.error(describe(e)); process.exit(1); });

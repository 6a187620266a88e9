// Drive a Node-RED server: its admin API as Node-RED's editor calls it (fetch with the editor's bearer token),
// Node-RED's admin CLI `node-red-admin` (a process per command), and the REST API a small shop built out of
// flows (http in / function / http response nodes) as its web app calls it.
//
//     node nodered_drive.js SERVER_URL ADMIN PASSWORD VIEWER UPLOAD_DIR --seed N [--rounds R] [--max-seconds S]
//
// Run by nodered.sh with the node_modules it installed (NODE_PATH; NODE_RED_ADMIN names the CLI). The Node twin
// of workload.py (the same arguments, a seeded PRNG, the same weighted loop), as unleash_drive.js is. The team's
// flows: tabs under the labels people give them (`Shop API`, `MQTT bridge - line 3`, `nightly.reports`) with
// nodes of many types and their own settings; deployed in full, by changed flows and by changed nodes, each flow
// added, read, replaced and deleted through the flow API, stopped and started; inject buttons pressed, debug
// nodes switched; global, flow and node context read and deleted in two stores; library entries saved and read;
// the palette (modules listed, sets enabled and disabled, modules uploaded as tarballs and removed); the user's
// editor settings; and the errors people hit (a stale revision, a flow or module that is gone, a viewer who may
// only read, a wrong password, no token). The shop's API: products under SKUs, orders, customers and their
// addresses, inventory per warehouse and SKU, webhooks per provider: created, listed with filters, read,
// replaced, patched and deleted, and its 404s and 400s.
'use strict';

const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const { args, prng, run } = require('./drive');

const a = args(process.argv.slice(2), 'nodered_drive.js', ['admin', 'password', 'viewer', 'uploads'], 1000);
const r = prng(a.seed);
const BASE = a.url.replace(/\/$/, '');
const CLI = process.env.NODE_RED_ADMIN;

const state = { token: null, viewerToken: null, rev: null, flows: [], tabs: new Map(), uploaded: new Set(),
  products: new Map(), orders: new Map(), customers: new Map(), injects: [], debugs: [], nodeIds: [] };

let counter = 0;
// Node ids as the editor makes them: 16 hex digits.
function nid() {
  counter += 1;
  return (Math.floor(r.next() * 0xffffffff).toString(16).padStart(8, '0') + (counter * 2654435761 >>> 0).toString(16).padStart(8, '0'));
}

async function call(method, p, body, opts = {}) {
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  const token = opts.token === undefined ? state.token : opts.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (opts.form) {
    payload = opts.form;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(BASE + p, { method, headers, body: payload });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  return { status: res.status, data };
}

// node-red-admin, a process per command (its target and token in HOME/.node-red/.cli-config.json)
function cli(argv, input = '') {
  try {
    return execFileSync(CLI, argv, { encoding: 'utf8', timeout: 60000, input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    return `${e.stdout || ''}${e.stderr || ''}`;
  }
}

// `node-red-admin login` asks for the username, then the password, each read from stdin when asked
function cliLogin(user, password) {
  return new Promise((resolve) => {
    const p = spawn(CLI, ['login'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => p.kill(), 60000);
    p.stdout.on('data', (d) => {
      out += d;
      if (/Username:\s*$/.test(out)) p.stdin.write(`${user}\n`);
      else if (/Password:\s*$/.test(out)) p.stdin.write(`${password}\n`);
    });
    p.on('close', () => { clearTimeout(timer); resolve(out); });
  });
}

async function login(user = a.admin, password = a.password) {
  await call('GET', '/auth/login', undefined, { token: null });
  const res = await call('POST', '/auth/token', { client_id: 'node-red-editor', grant_type: 'password',
    scope: user === a.viewer ? 'read' : '*',
    username: user, password }, { token: null });
  return res.data && res.data.access_token;
}

// ---- the shop's API, built from flows ------------------------------------------------------------------
// Each endpoint: http in (its URL and method) -> function (the handler) -> http response.
const STORE = `
const all = flow.get(RES) || {};
const id = KEY ? msg.req.params[KEY] : null;
const body = msg.payload && typeof msg.payload === 'object' ? msg.payload : {};
msg.headers = { 'Content-Type': 'application/json' };
const now = new Date().toISOString();
if (OP === 'list') {
  let items = Object.values(all);
  for (const [k, v] of Object.entries(msg.req.query || {})) {
    if (k === 'limit') items = items.slice(0, Number(v)); else if (k !== 'offset') items = items.filter((x) => String(x[k]) === v);
  }
  msg.payload = { items, total: items.length };
} else if (OP === 'create') {
  const key = body[BODYKEY] || (RES.slice(0, 3) + '_' + Math.random().toString(36).slice(2, 10));
  if (!body.name && !body.email && !body.items && !body.quantity && body.quantity !== 0) { msg.statusCode = 400; msg.payload = { error: 'invalid body', fields: ['name'] }; return msg; }
  all[key] = { ...body, [BODYKEY]: key, createdAt: now, updatedAt: now };
  flow.set(RES, all); msg.statusCode = 201; msg.payload = all[key];
} else if (!all[id]) {
  msg.statusCode = 404; msg.payload = { error: RES + ' not found', id };
} else if (OP === 'get') {
  msg.payload = all[id];
} else if (OP === 'put') {
  all[id] = { ...body, [BODYKEY]: id, createdAt: all[id].createdAt, updatedAt: now }; flow.set(RES, all); msg.payload = all[id];
} else if (OP === 'patch') {
  all[id] = { ...all[id], ...body, updatedAt: now }; flow.set(RES, all); msg.payload = all[id];
} else if (OP === 'delete') {
  delete all[id]; flow.set(RES, all); msg.statusCode = 204; msg.payload = '';
}
return msg;`;

const RESOURCES = [
  { res: 'products', base: '/api/v1/products', key: 'sku', param: 'sku' },
  { res: 'orders', base: '/api/v1/orders', key: 'orderId', param: 'orderId' },
  { res: 'customers', base: '/api/v1/customers', key: 'customerId', param: 'customerId' },
  { res: 'inventory', base: '/inventory', key: 'sku', param: 'sku', prefix: '/:warehouse' },
];

function endpoint(z, x, y, method, url, func, name) {
  const inId = nid(); const fnId = nid(); const outId = nid();
  return [
    { id: inId, type: 'http in', z, name: `${method.toUpperCase()} ${url}`, url, method, upload: false, swaggerDoc: '',
      x, y, wires: [[fnId]] },
    { id: fnId, type: 'function', z, name, func, outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '',
      libs: [], x: x + 200, y, wires: [[outId]] },
    { id: outId, type: 'http response', z, name: '', statusCode: '', headers: {}, x: x + 400, y, wires: [] },
  ];
}

function shopTab() {
  const z = nid();
  const nodes = [{ id: z, type: 'tab', label: 'Shop API', disabled: false, info: 'The shop web app\'s REST API',
    env: [{ name: 'SHOP_CURRENCY', value: 'EUR', type: 'str' }] }];
  let y = 40;
  for (const { res, base, key, param, prefix = '' } of RESOURCES) {
    const coll = base + prefix;
    const item = `${coll}/:${param}`;
    const code = (op, k) => `const RES = ${JSON.stringify(res)}; const OP = ${JSON.stringify(op)}; `
      + `const KEY = ${JSON.stringify(k)}; const BODYKEY = ${JSON.stringify(key)};${STORE}`;
    for (const [method, url, op, k] of [['get', coll, 'list', null], ['post', coll, 'create', null], ['get', item, 'get', param],
      ['put', item, 'put', param], ['patch', item, 'patch', param], ['delete', item, 'delete', param]]) {
      nodes.push(...endpoint(z, 120, y, method, url, code(op, k), `${op} ${res}`));
      y += 60;
    }
  }
  const hook = `msg.headers = { 'Content-Type': 'application/json' };
const events = global.get('webhookEvents') || [];
events.push({ provider: msg.req.params.provider, type: msg.payload && msg.payload.type });
global.set('webhookEvents', events);
msg.statusCode = 202; msg.payload = { received: true, provider: msg.req.params.provider };
return msg;`;
  nodes.push(...endpoint(z, 120, y, 'post', '/hooks/:provider', hook, 'webhook'));
  nodes.push(...endpoint(z, 120, y + 60, 'get', '/status', 'msg.payload = { ok: true, uptime: Math.round(Date.now() / 1000) }; return msg;', 'status'));
  return nodes;
}

// ---- other tabs the team keeps ---------------------------------------------------------------------------
const TAB_LABELS = ['MQTT bridge - line 3', 'nightly.reports', 'Home/Garage door', 'ETL: orders -> warehouse', 'Alerts (PagerDuty)',
  'sensor_fusion', 'Kitchen Display', 'Flow 1', 'Übersicht Heizung', 'ops/cleanup jobs'];
const TOPICS = ['factory/line3/temp', 'home/garage/door', 'sensors/+/humidity', 'shop/orders/new', 'alerts/critical'];

function inject(z, wires) {
  const id = nid();
  state.injects.push(id);
  return { id, type: 'inject', z, name: r.choice(['every minute', 'kick off', 'test payload', '']), props: [{ p: 'payload' },
    { p: 'topic', vt: 'str' }], repeat: r.choice(['', '60', '3600']), crontab: '', once: false, onceDelay: 0.1,
  topic: r.choice(TOPICS), payload: r.choice(['{"temp":21.5}', '', 'hello']), payloadType: r.choice(['json', 'date', 'str']),
  x: 120, y: 80, wires: [wires] };
}

function debug(z) {
  const id = nid();
  state.debugs.push(id);
  return { id, type: 'debug', z, name: r.choice(['log it', 'debug 1', '']), active: r.next() < 0.7, tosidebar: true,
    console: r.next() < 0.3, tostatus: false, complete: r.choice(['payload', 'true', 'topic']), targetType: 'msg',
    statusVal: '', statusType: 'auto', x: 520, y: 80, wires: [] };
}

function middle(z, next) {
  const id = nid();
  const kind = r.choice(['function', 'change', 'switch', 'delay', 'template', 'json', 'rbe']);
  const common = { id, z, name: r.choice(['', 'transform', 'route by topic', 'rate limit']), x: 320, y: 80 };
  const nodes = {
    function: { type: 'function', func: 'msg.payload = { value: msg.payload, at: Date.now() };\nreturn msg;', outputs: 1,
      timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires: [[next]] },
    change: { type: 'change', rules: [{ t: 'set', p: 'topic', pt: 'msg', to: r.choice(TOPICS), tot: 'str' },
      { t: 'move', p: 'payload.value', pt: 'msg', to: 'payload', tot: 'msg' }], wires: [[next]] },
    switch: { type: 'switch', property: 'payload', propertyType: 'msg', rules: [{ t: 'gt', v: '20', vt: 'num' },
      { t: 'else' }], checkall: 'true', repair: false, outputs: 2, wires: [[next], []] },
    delay: { type: 'delay', pauseType: 'rate', timeout: '5', timeoutUnits: 'seconds', rate: '1', nbRateUnits: '1',
      rateUnits: 'second', randomFirst: '1', randomLast: '5', randomUnits: 'seconds', drop: false, allowrate: false,
      outputs: 1, wires: [[next]] },
    template: { type: 'template', field: 'payload', fieldType: 'msg', format: 'handlebars', syntax: 'mustache',
      template: 'Reading {{payload}} on {{topic}}', output: 'str', wires: [[next]] },
    json: { type: 'json', property: 'payload', action: '', pretty: r.next() < 0.5, wires: [[next]] },
    rbe: { type: 'rbe', func: 'rbe', gap: '', start: '', inout: 'out', septopics: true, property: 'payload',
      topi: 'topic', wires: [[next]] },
  };
  return { ...common, ...nodes[kind] };
}

function tab(label) {
  const z = nid();
  const dbg = debug(z);
  const mid = middle(z, dbg.id);
  const nodes = [{ id: z, type: 'tab', label, disabled: r.next() < 0.1, info: r.choice(['', 'Owned by the ops team', '## Notes\nrestart weekly']),
    env: r.next() < 0.4 ? [{ name: 'SITE', value: r.choice(['berlin', 'plant-2']), type: 'str' }] : [] },
  inject(z, [mid.id]), mid, dbg];
  if (r.next() < 0.4) nodes.push({ id: nid(), type: 'comment', z, name: r.choice(['TODO: retries', 'do not touch']), info: '', x: 120, y: 20, wires: [] });
  return nodes;
}

// ---- the editor's calls ----------------------------------------------------------------------------------
const V2 = { 'Node-RED-API-Version': 'v2' };

async function openEditor() {
  await call('GET', '/settings');
  await call('GET', '/settings/user');
  await call('GET', '/nodes', undefined, { headers: { Accept: 'application/json' } });
  await call('GET', '/nodes/messages?lng=en-US');
  await call('GET', '/plugins', undefined, { headers: { Accept: 'application/json' } });
  await call('GET', '/plugins/messages?lng=en-US');
  await call('GET', '/icons');
  const res = await call('GET', '/flows', undefined, { headers: V2 });
  if (res.status === 200) { state.rev = res.data.rev; state.flows = res.data.flows.filter((n) => n && typeof n === 'object'); }
  await call('GET', '/flows/state');
}

async function deploy(type = 'full', stale = false) {
  const res = await call('POST', '/flows', { rev: stale ? 'a0b1c2d3e4f5' : state.rev, flows: state.flows },
    { headers: { ...V2, 'Node-RED-Deployment-Type': type } });
  if (res.status === 200) state.rev = res.data.rev;
  return res;
}

async function deployNewTab() {
  if (state.flows.filter((n) => n.type === 'tab').length > 8) return removeTab();
  state.flows.push(...tab(r.choice(TAB_LABELS)));
  await deploy(r.choice(['full', 'flows', 'nodes']));
}

async function removeTab() {
  const tabs = state.flows.filter((n) => n.type === 'tab' && n.label !== 'Shop API');
  if (!tabs.length) return deployNewTab();
  const z = r.choice(tabs).id;
  state.flows = state.flows.filter((n) => n.id !== z && n.z !== z);
  await deploy(r.choice(['full', 'flows']));
}

async function editNode() {
  const nodes = state.flows.filter((n) => n.type === 'inject' || n.type === 'debug' || n.type === 'function');
  if (!nodes.length) return deployNewTab();
  const n = r.choice(nodes);
  if (n.type === 'inject') n.topic = r.choice(TOPICS);
  else if (n.type === 'debug') n.active = !n.active;
  else if (!n.url) n.name = r.choice(['handler', 'format reading', 'enrich']);
  await deploy('nodes');
}

async function staleDeploy() {
  await deploy('full', true);
}

async function reload() {
  await call('POST', '/flows', {}, { headers: { ...V2, 'Node-RED-Deployment-Type': 'reload' } });
}

async function flowApi() {
  const label = `${r.choice(TAB_LABELS)} (${r.int(2, 9)})`;
  const z0 = 'tmp';
  const nodes = tab(label).slice(1).map((n) => ({ ...n, z: z0 }));
  const res = await call('POST', '/flow', { label, nodes, configs: [], info: 'added with the flow API', env: [] });
  if (res.status !== 200) return;
  const id = res.data.id;
  const got = await call('GET', `/flow/${id}`);
  if (r.next() < 0.6 && got.status === 200) {
    await call('PUT', `/flow/${id}`, { ...got.data, label: `${label} v2`, nodes: got.data.nodes || [] });
  }
  if (r.next() < 0.7) await call('DELETE', `/flow/${id}`);
  await call('GET', '/flows', undefined, { headers: V2 }).then((x) => { if (x.status === 200) { state.rev = x.data.rev; state.flows = x.data.flows; } });
}

async function flowErrors() {
  const pick = r.int(0, 4);
  if (pick === 0) await call('GET', `/flow/${nid()}`);
  else if (pick === 1) await call('DELETE', `/flow/${nid()}`);
  else if (pick === 2 && state.flows.length) {
    // a flow whose node reuses an id the runtime already has
    const taken = r.choice(state.flows.filter((n) => n.type !== 'tab'));
    await call('POST', '/flow', { label: 'copy of a flow', nodes: [{ ...taken, z: undefined }], configs: [] });
  }
  else if (pick === 3) await call('GET', '/flow/global');
  else await call('PUT', `/flow/${nid()}`, { label: 'gone', nodes: [] });
}

async function runtimeState() {
  await call('POST', '/flows/state', { state: 'stop' });
  await call('GET', '/flows/state');
  await call('POST', '/flows/state', { state: 'start' });
}

async function pressInject() {
  const live = state.flows.filter((n) => n.type === 'inject').map((n) => n.id);
  if (!live.length) return deployNewTab();
  // now and then a button of a node deployed away since (the editor's stale view)
  const id = r.next() < 0.85 || !state.injects.length ? r.choice(live) : r.choice(state.injects);
  await call('POST', `/inject/${id}`, r.next() < 0.5 ? undefined : { __user_inject_props__: [{ p: 'payload', v: 'manual', vt: 'str' }] });
}

async function toggleDebug() {
  const live = state.flows.filter((n) => n.type === 'debug').map((n) => n.id);
  if (!live.length) return deployNewTab();
  const which = r.sample(live, r.int(1, 3));
  if (r.next() < 0.5) await call('POST', `/debug/${which[0]}/${r.choice(['enable', 'disable'])}`);
  else await call('POST', `/debug/${r.choice(['enable', 'disable'])}`, { nodes: which });
}

const GLOBAL_KEYS = ['webhookEvents', 'lastRun', 'site.config', 'counter'];

async function contexts() {
  const store = r.choice(['memory', 'file']);
  const pick = r.int(0, 4);
  const tabs = state.flows.filter((n) => n.type === 'tab');
  if (pick === 0) await call('GET', `/context/global?store=${store}`);
  else if (pick === 1) await call('GET', `/context/global/${encodeURIComponent(r.choice(GLOBAL_KEYS))}?store=${store}`);
  else if (pick === 2 && tabs.length) {
    const z = r.choice(tabs).id;
    await call('GET', `/context/flow/${z}`);
    if (r.next() < 0.5) await call('GET', `/context/flow/${z}/${r.choice(['products', 'orders', 'customers', 'inventory'])}?store=memory`);
  } else if (pick === 3 && state.flows.length) {
    const n = r.choice(state.flows.filter((x) => x.type !== 'tab'));
    if (n) await call('GET', `/context/node/${n.id}`);
  } else await call('DELETE', `/context/global/${encodeURIComponent(r.choice(GLOBAL_KEYS))}?store=${store}`);
}

const LIB_FUNCS = ['utils/format-date', 'parse csv', 'mqtt/normalise reading', 'shop/price with VAT'];

async function library() {
  const type = r.choice(['functions', 'flows', 'templates']);
  const name = r.choice(LIB_FUNCS);
  const p = `/library/local/${type}/${name.split('/').map(encodeURIComponent).join('/')}`;
  if (r.next() < 0.5) {
    const body = type === 'flows' ? tab('library copy').slice(1)
      : { text: type === 'functions' ? 'return msg;' : 'Hello {{payload}}', name, outputs: '1', info: '' };
    await call('POST', p, body);
  } else if (r.next() < 0.5) {
    await call('GET', type === 'flows' ? `${p}.json` : p);
  } else {
    await call('GET', `/library/local/${type}/`);
  }
}

async function userSettings() {
  await call('POST', '/settings/user', { editor: { view: { 'view-grid-size': r.choice([10, 20]), 'view-show-grid': r.next() < 0.5,
    'view-snap-grid': true }, dialog: { export: { 'pretty': r.next() < 0.5 } } }, 'menu-menu-item-sidebar': true });
  await call('GET', '/settings/user');
}

async function diagnostics() {
  await call('GET', r.choice(['/diagnostics', '/settings', '/locales/editor?lng=en-US', '/locales/node-red?lng=de', '/theme']));
}

const CORE_SETS = ['node-red/mqtt', 'node-red/websocket', 'node-red/tcpin', 'node-red/udp', 'node-red/exec', 'node-red/watch'];

async function palette() {
  const pick = r.int(0, 5);
  if (pick === 0) await call('GET', `/nodes/${r.choice(['node-red', ...state.uploaded, 'node-red-contrib-not-here'])}`);
  else if (pick === 1) await call('GET', `/nodes/${r.choice(CORE_SETS)}`);
  else if (pick === 2) await call('PUT', `/nodes/${r.choice(CORE_SETS)}`, { enabled: r.next() < 0.5 });
  else if (pick === 3) await call('GET', `/nodes/${r.choice(CORE_SETS)}`, undefined, { headers: { Accept: 'text/html' } });
  else if (pick === 4) await upload();
  else if (state.uploaded.size) {
    const m = r.choice([...state.uploaded]);
    await call('DELETE', `/nodes/${m}`);
    state.uploaded.delete(m);
  } else await call('DELETE', '/nodes/node-red');
}

async function upload() {
  const files = fs.readdirSync(a.uploads).filter((f) => f.endsWith('.tgz'));
  const file = r.choice(files);
  const form = new FormData();
  form.append('tarball', new Blob([fs.readFileSync(path.join(a.uploads, file))], { type: 'application/gzip' }), file);
  const res = await call('POST', '/nodes', undefined, { form });
  if (res.status === 200 && res.data && res.data.name) state.uploaded.add(res.data.name);
}

async function adminCli() {
  const pick = r.int(0, 5);
  if (pick === 0) cli(['list']);
  else if (pick === 1) cli(['info', r.choice(['node-red', 'node-red/inject', 'node-red/function', ...state.uploaded])]);
  else if (pick === 2) cli(['disable', r.choice(CORE_SETS)]);
  else if (pick === 3) cli(['enable', r.choice(CORE_SETS)]);
  else if (pick === 4 && state.uploaded.size) {
    const m = r.choice([...state.uploaded]);
    cli(['remove', m]);
    state.uploaded.delete(m);
  } else cli(['info', 'node-red-contrib-not-installed']);
}

async function authErrors() {
  const pick = r.int(0, 4);
  if (pick === 0) await login(a.admin, 'wrong-password');
  else if (pick === 1) await call('GET', '/flows', undefined, { token: null });
  else if (pick === 2) await call('POST', '/flows', { flows: [] }, { token: state.viewerToken, headers: V2 });
  else if (pick === 3) await call('GET', '/flows', undefined, { token: state.viewerToken, headers: V2 });
  else {
    const t = await login();
    await call('POST', '/auth/revoke', { token: t }, { token: t });
  }
}

// ---- the shop's web app ----------------------------------------------------------------------------------
const SKUS = ['SKU-10042', 'mug-black-350ml', 'TSHIRT_M_NAVY', 'gift-card-50', 'beans.ethiopia.1kg', 'A7-2291', 'poster-A2-matte'];
const NAMES = ['Black mug', 'Navy T-shirt (M)', 'Gift card 50', 'Ethiopia beans 1kg', 'Desk lamp', 'Poster A2'];
const WAREHOUSES = ['berlin-1', 'LYS', 'warehouse 3'];
const CUSTOMERS = [['ana@example.com', 'Ana Souza'], ['li.wei@example.com', 'Li Wei'], ['jo@example.org', 'Jo Becker'], ['omar@example.net', 'Omar H.']];

async function product() {
  const pick = r.int(0, 5);
  const sku = r.choice(SKUS);
  const p = `/api/v1/products/${encodeURIComponent(sku)}`;
  if (pick === 0) {
    const res = await call('POST', '/api/v1/products', { sku, name: r.choice(NAMES), price: { amount: r.int(300, 9900), currency: 'EUR' },
      tags: r.sample(['new', 'sale', 'eco', 'limited'], r.int(0, 3)), stock: r.int(0, 500), active: true }, { token: null });
    if (res.status === 201) state.products.set(sku, res.data);
  } else if (pick === 1) await call('GET', `/api/v1/products${r.choice(['', '?active=true', '?limit=5', `?sku=${encodeURIComponent(sku)}`])}`, undefined, { token: null });
  else if (pick === 2) await call('GET', p, undefined, { token: null });
  else if (pick === 3) await call('PATCH', p, r.choice([{ stock: r.int(0, 500) }, { price: { amount: r.int(300, 9900), currency: 'EUR' } }, { active: false }]), { token: null });
  else if (pick === 4) await call('PUT', p, { name: r.choice(NAMES), price: { amount: r.int(300, 9900), currency: 'EUR' }, tags: [], stock: r.int(0, 50), active: true }, { token: null });
  else { await call('DELETE', p, undefined, { token: null }); state.products.delete(sku); }
}

async function order() {
  const pick = r.int(0, 5);
  const ids = [...state.orders.keys()];
  const id = ids.length && r.next() < 0.85 ? r.choice(ids) : `ord_${r.int(1000, 9999)}`;
  const p = `/api/v1/orders/${id}`;
  if (pick <= 1) {
    const [email] = r.choice(CUSTOMERS);
    const res = await call('POST', '/api/v1/orders', { customerEmail: email, items: r.sample(SKUS, r.int(1, 3)).map((s) => ({ sku: s, qty: r.int(1, 4) })),
      shipping: { method: r.choice(['standard', 'express', 'pickup']), address: { line1: 'Hauptstr. 5', city: 'Berlin', zip: '10115', country: 'DE' } },
      note: r.next() < 0.3 ? 'leave at the door' : undefined }, { token: null });
    if (res.status === 201) state.orders.set(res.data.orderId, res.data);
  } else if (pick === 2) await call('GET', `/api/v1/orders${r.choice(['', '?status=paid', '?customerEmail=ana%40example.com', '?limit=10&offset=0'])}`, undefined, { token: null });
  else if (pick === 3) await call('GET', p, undefined, { token: null });
  else if (pick === 4) await call('PATCH', p, { status: r.choice(['paid', 'shipped', 'cancelled']), ...(r.next() < 0.3 ? { trackingNumber: `1Z${r.int(100000, 999999)}` } : {}) }, { token: null });
  else { await call('DELETE', p, undefined, { token: null }); state.orders.delete(id); }
}

async function customer() {
  const pick = r.int(0, 4);
  const [email, name] = r.choice(CUSTOMERS);
  const key = `cus_${email.split('@')[0].replace(/\W/g, '')}`;
  const p = `/api/v1/customers/${key}`;
  if (pick === 0) await call('POST', '/api/v1/customers', { customerId: key, email, name, marketingOptIn: r.next() < 0.5, locale: r.choice(['de-DE', 'en-GB', 'pt-BR']) }, { token: null });
  else if (pick === 1) await call('GET', p, undefined, { token: null });
  else if (pick === 2) await call('PATCH', p, { marketingOptIn: r.next() < 0.5 }, { token: null });
  else if (pick === 3) await call('GET', '/api/v1/customers', undefined, { token: null });
  else await call('DELETE', p, undefined, { token: null });
}

async function inventory() {
  const wh = encodeURIComponent(r.choice(WAREHOUSES));
  const sku = encodeURIComponent(r.choice(SKUS));
  const pick = r.int(0, 3);
  if (pick === 0) await call('POST', `/inventory/${wh}`, { sku: decodeURIComponent(sku), quantity: r.int(0, 900), bin: `R${r.int(1, 20)}-S${r.int(1, 6)}` }, { token: null });
  else if (pick === 1) await call('GET', `/inventory/${wh}/${sku}`, undefined, { token: null });
  else if (pick === 2) await call('PUT', `/inventory/${wh}/${sku}`, { quantity: r.int(0, 900), bin: `R${r.int(1, 20)}-S${r.int(1, 6)}` }, { token: null });
  else await call('GET', `/inventory/${wh}`, undefined, { token: null });
}

async function webhook() {
  const provider = r.choice(['stripe', 'paypal', 'shopify', 'dhl']);
  await call('POST', `/hooks/${provider}`, { id: `evt_${r.int(1e5, 1e6)}`, type: r.choice(['payment.succeeded', 'charge.refunded', 'shipment.delivered']),
    data: { object: { amount: r.int(100, 10000), currency: 'eur' } } }, { token: null });
  if (r.next() < 0.2) await call('GET', '/status', undefined, { token: null });
}

async function shopErrors() {
  const pick = r.int(0, 2);
  if (pick === 0) await call('POST', '/api/v1/products', { price: 5 }, { token: null });
  else if (pick === 1) await call('GET', `/api/v1/customers/cus_nobody${r.int(1, 99)}`, undefined, { token: null });
  else await call('PATCH', `/api/v1/orders/ord_missing${r.int(1, 99)}`, { status: 'paid' }, { token: null });
}

async function main() {
  cli(['target', BASE]);
  console.log(await cliLogin(a.admin, a.password));
  state.token = await login();
  state.viewerToken = await login(a.viewer, a.password);
  await openEditor();
  state.flows.push(...shopTab(), ...tab(r.choice(TAB_LABELS)), ...tab(r.choice(TAB_LABELS)));
  await deploy('full');
  await run([
    [product, 14], [order, 14], [customer, 8], [inventory, 7], [webhook, 4], [shopErrors, 3],
    [deployNewTab, 4], [removeTab, 2], [editNode, 4], [staleDeploy, 1], [reload, 1], [flowApi, 4], [flowErrors, 3],
    [runtimeState, 1], [pressInject, 4], [toggleDebug, 3], [contexts, 6], [library, 4], [userSettings, 2],
    [diagnostics, 3], [palette, 4], [adminCli, 3], [authErrors, 3], [openEditor, 1],
  ], r, a, (e) => `${e.name}: ${String(e.message).slice(0, 120)}`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });

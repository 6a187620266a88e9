// Drive an Unleash server: its admin API as the Unleash admin UI and a team's tooling call it (fetch with an
// admin API token), and its client API through Unleash's own Node SDK, `unleash-client`.
//
//     node unleash_drive.js SERVER_URL ADMIN_TOKEN BACKEND_TOKEN FRONTEND_TOKEN --seed N [--rounds R] [--max-seconds S]
//
// Run by unleash.sh with the node_modules it installed (NODE_PATH). The Node twin of workload.py (the same
// arguments, a seeded PRNG, the same weighted loop), as pocketbase_drive.js is. A team's feature flags: flags
// under the names people give them (`checkout.new-flow`, `search_v2`, `PAY-2291-retry`) in every flag path,
// their strategies per environment (rollouts, allow-lists, constraints on context fields the team defines,
// segments, variants with JSON payloads), switched on and off, tagged, cloned, made to depend on each other,
// archived, revived and deleted; context fields with legal values, segments, custom strategies, tag types,
// users, API tokens, the playground, events; services running the SDK (registering, fetching flags,
// evaluating them for their users, sending metrics), and the frontend API a web app asks; and the errors
// people hit (a name taken, a name Unleash refuses, a flag that is gone, a token it does not know).
'use strict';

const { Unleash } = require('unleash-client');
const { args, prng, run } = require('./drive');

const a = args(process.argv.slice(2), 'unleash_drive.js', ['adminToken', 'backendToken', 'frontendToken'], 950);
const r = prng(a.seed);
const BASE = a.url.replace(/\/$/, '');
const PROJECT = 'default';
const ENVS = ['development', 'production'];

// Flag names a team picks (Unleash allows letters, digits, `-`, `_`, `.`, `~`).
const FLAGS = ['checkout.new-flow', 'search_v2', 'dark-mode', 'PAY-2291-retry', 'onboarding.tour.v3', 'recs~ml-ranker',
  'beta_pricing_page', 'kill.legacy-export', 'mobile.push-optin', 'ai-summary', 'cart_upsell_2026', 'ops.read-only-mode',
  'new-invoice-pdf', 'feature.x', 'ENG-1042'];
const TYPES = ['release', 'experiment', 'operational', 'kill-switch', 'permission'];
// Context fields the team defines, with the values it allows.
const CONTEXT = { region: ['eu-west', 'us-east', 'ap-south'], tenantId: ['acme', 'globex', 'initech', 'umbrella'],
  plan: ['free', 'pro', 'enterprise'], 'app.build': ['1042', '1043', '1100'], deviceType: ['ios', 'android', 'web'] };
const SEGMENTS = ['beta users', 'internal-staff', 'eu_customers', 'enterprise accounts'];
const TAG_TYPES = ['team', 'jira', 'cleanup'];
const TAG_VALUES = { team: ['payments', 'growth', 'platform', 'mobile'], jira: ['PAY-2291', 'ENG-1042', 'GRO-77'],
  cleanup: ['q1-2027', 'after-launch'], simple: ['frontend', 'backend', 'risky'] };
const APPS = ['checkout-service', 'web-frontend', 'billing-worker', 'search-api', 'ios-app'];
const PEOPLE = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];

const state = { flags: new Map(), archived: new Set(), segments: new Map(), strategies: [], users: new Map(), tokens: [],
  contextFields: new Set(Object.keys(CONTEXT)), tags: new Map() };

async function call(method, path, body, token = a.adminToken) {
  const headers = { Authorization: token, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  return { status: res.status, data };
}

const flagPath = (name) => `/api/admin/projects/${PROJECT}/features/${encodeURIComponent(name)}`;
const liveFlags = () => [...state.flags.keys()];
const someFlag = () => (state.flags.size ? r.choice(liveFlags()) : r.choice(FLAGS));

function constraint() {
  const [name, values] = r.choice(Object.entries(CONTEXT));
  const op = r.choice(['IN', 'NOT_IN', 'STR_CONTAINS', 'STR_STARTS_WITH']);
  return { contextName: name, operator: op, values: r.sample(values, r.int(1, values.length)), caseInsensitive: r.next() < 0.3, inverted: false };
}

function strategy(flag) {
  const kind = r.choice(['flexibleRollout', 'flexibleRollout', 'default', 'remoteAddress', ...state.strategies]);
  const s = { name: kind, constraints: r.next() < 0.6 ? [constraint()] : [], parameters: {} };
  if (kind === 'flexibleRollout') s.parameters = { rollout: String(r.choice([5, 10, 25, 50, 100])), stickiness: r.choice(['default', 'userId', 'sessionId']), groupId: flag };
  if (kind === 'remoteAddress') s.parameters = { IPs: '10.0.0.0/8,192.168.1.7' };
  if (state.strategies.includes(kind)) s.parameters = { tenants: r.sample(CONTEXT.tenantId, 2).join(',') };
  if (r.next() < 0.3 && state.segments.size) s.segments = [r.choice([...state.segments.values()])];
  if (r.next() < 0.3) s.title = r.choice(['10% canary', 'staff first', 'EU only', 'beta cohort']);
  if (r.next() < 0.25) s.variants = variants().map(({ name, weight, weightType, stickiness, payload }) => ({ name, weight, weightType, stickiness, payload }));
  return s;
}

function variants() {
  const names = r.sample(['control', 'blue', 'green', 'treatment-a', 'treatment_b', 'v2'], r.int(1, 3));
  return names.map((name) => {
    const v = { name, weight: Math.floor(1000 / names.length), weightType: 'variable', stickiness: 'default' };
    const kind = r.choice(['json', 'string', 'none']);
    if (kind === 'json') {
      const payload = {};
      for (const k of r.sample(['color', 'maxItems', 'copy.headline', 'endpoint', 'discount%'], r.int(1, 3))) payload[k] = r.choice(['blue', 12, 'Try it free', '/v2/search', 15]);
      v.payload = { type: 'json', value: JSON.stringify(payload) };
    } else if (kind === 'string') v.payload = { type: 'string', value: r.choice(['on', 'fast-path', 'banner-3']) };
    return v;
  });
}

// -- setup: the team's context fields, tag types, segments, a custom strategy, some flags ----------------
async function setup() {
  for (const [name, values] of Object.entries(CONTEXT)) {
    await call('POST', '/api/admin/context', { name, description: `${name} of the caller`, legalValues: values.map((value) => ({ value })), stickiness: r.next() < 0.4 });
  }
  for (const name of TAG_TYPES) await call('POST', '/api/admin/tag-types', { name, description: `${name} tags` });
  for (const name of SEGMENTS) await createSegment(name);
  const res = await call('POST', '/api/admin/strategies', { name: 'tenant-allowlist', description: 'tenants that opted in',
    parameters: [{ name: 'tenants', type: 'list', description: 'tenant ids', required: true }] });
  if (res.status < 300) state.strategies.push('tenant-allowlist');
  for (let i = 0; i < 6; i++) await createFlag();
}

async function createSegment(name) {
  const res = await call('POST', '/api/admin/segments', { name, description: r.choice([null, 'who sees betas first']), project: r.next() < 0.3 ? PROJECT : null,
    constraints: [constraint(), ...(r.next() < 0.4 ? [constraint()] : [])] });
  if (res.status < 300) state.segments.set(name, res.data.id);
}

async function createFlag() {
  const name = r.next() < 0.85 ? r.choice(FLAGS) : `${r.choice(['exp', 'tmp', 'ff'])}.${r.choice(PEOPLE)}-${r.int(1, 999)}`;
  const body = { name, type: r.choice(TYPES), description: r.choice(['', 'rollout of the new flow', 'guards the ML ranker', 'ops switch']), impressionData: r.next() < 0.3 };
  if (r.next() < 0.05) body.name = `bad name ${r.int(1, 9)}!`; // 400: Unleash refuses spaces
  const res = await call('POST', `/api/admin/projects/${PROJECT}/features`, body); // a name taken: 409
  if (res.status < 300) {
    state.flags.set(name, { envs: {} });
    state.archived.delete(name);
  }
}

// -- steps ---------------------------------------------------------------------------------------
async function readFlags() {
  const roll = r.next();
  if (roll < 0.3) await call('GET', flagPath(someFlag())); // one that was archived: 404
  else if (roll < 0.5) await call('GET', `/api/admin/projects/${PROJECT}/features`);
  else if (roll < 0.75) {
    const q = new URLSearchParams({ query: r.choice(['checkout', 'v2', 'mode', 'PAY', '']), limit: String(r.choice([10, 25, 50])), offset: '0' });
    if (r.next() < 0.4) q.set('type', `IS_ANY_OF:${r.sample(TYPES, 2).join(',')}`);
    if (r.next() < 0.3) q.set('tag', `INCLUDE:${r.choice(TAG_TYPES)}:${r.choice(TAG_VALUES.team)}`);
    if (r.next() < 0.3) q.set('sortBy', r.choice(['name', 'createdAt', 'lastSeenAt']));
    await call('GET', `/api/admin/search/features?${q}`);
  } else if (roll < 0.9) await call('GET', `${flagPath(someFlag())}/environments/${r.choice(ENVS)}`);
  else await call('POST', '/api/admin/features/validate', { name: r.choice([...FLAGS, 'fresh.flag-name', 'has space']) });
}

async function updateFlag() {
  const name = someFlag();
  if (r.next() < 0.5) {
    await call('PUT', flagPath(name), { type: r.choice(TYPES), description: r.choice(['updated', 'owned by growth', '']), impressionData: r.next() < 0.5 });
  } else {
    const ops = [{ op: 'replace', path: '/description', value: `patched ${r.int(1, 99)}` }];
    if (r.next() < 0.4) ops.push({ op: 'replace', path: '/stale', value: r.next() < 0.5 });
    await call('PATCH', flagPath(name), ops);
  }
}

async function strategies() {
  const name = someFlag();
  const env = r.choice(ENVS);
  const base = `${flagPath(name)}/environments/${env}/strategies`;
  const roll = r.next();
  const flag = state.flags.get(name);
  const ids = (flag && flag.envs[env]) || [];
  if (roll < 0.45 || !ids.length) {
    const res = await call('POST', base, strategy(name));
    if (res.status < 300 && flag) (flag.envs[env] = ids).push(res.data.id);
  } else if (roll < 0.6) await call('GET', base);
  else if (roll < 0.75) await call('PUT', `${base}/${r.choice(ids)}`, strategy(name));
  else if (roll < 0.85) {
    await call('PATCH', `${base}/${r.choice(ids)}`, [{ op: 'replace', path: '/parameters/rollout', value: String(r.choice([0, 20, 75])) }]);
  } else {
    const id = ids.splice(r.int(0, ids.length - 1), 1)[0];
    await call('DELETE', `${base}/${id}`);
  }
}

async function toggle() {
  const name = someFlag();
  const env = r.choice(ENVS);
  if (r.next() < 0.85) await call('POST', `${flagPath(name)}/environments/${env}/${r.choice(['on', 'off'])}`);
  else await call('POST', `/api/admin/projects/${PROJECT}/bulk_features/environments/${env}/${r.choice(['on', 'off'])}`, { features: r.sample(liveFlags(), 2) });
}

async function variantsStep() {
  const name = someFlag();
  const env = r.choice(ENVS);
  // Unleash 7 refuses environment variants (403: strategy variants replace them), as teams moving up meet.
  if (r.next() < 0.15) await call('PUT', `${flagPath(name)}/environments/${env}/variants`, variants());
  else await call('GET', `${flagPath(name)}/environments/${env}/variants`);
}

async function tags() {
  const name = someFlag();
  const type = r.choice([...TAG_TYPES, 'simple']);
  const value = r.choice(TAG_VALUES[type]);
  const roll = r.next();
  if (roll < 0.5) await call('POST', `/api/admin/features/${encodeURIComponent(name)}/tags`, { type, value });
  else if (roll < 0.7) await call('GET', `/api/admin/features/${encodeURIComponent(name)}/tags`);
  else if (roll < 0.85) await call('DELETE', `/api/admin/features/${encodeURIComponent(name)}/tags/${type}/${encodeURIComponent(value)}`);
  else await call('GET', r.next() < 0.5 ? '/api/admin/tags' : `/api/admin/tags/${type}`);
}

async function lifecycle() {
  const roll = r.next();
  if (roll < 0.3) return createFlag();
  if (roll < 0.45 && state.flags.size > 3) {
    const name = r.choice(liveFlags());
    const res = await call('DELETE', flagPath(name)); // archives it
    if (res.status < 300) { state.flags.delete(name); state.archived.add(name); }
  } else if (roll < 0.6 && state.archived.size) {
    const name = r.choice([...state.archived]);
    if (r.next() < 0.6) {
      const res = await call('POST', `/api/admin/archive/revive/${encodeURIComponent(name)}`);
      if (res.status < 300) { state.archived.delete(name); state.flags.set(name, { envs: {} }); }
    } else {
      const res = await call('DELETE', `/api/admin/archive/${encodeURIComponent(name)}`);
      if (res.status < 300) state.archived.delete(name);
    }
  } else if (roll < 0.75) {
    const source = r.choice(liveFlags().filter((f) => FLAGS.includes(f)).concat(FLAGS[0]));
    const clone = `${source}-copy${r.int(1, 9)}`;
    const res = await call('POST', `${flagPath(source)}/clone`, { name: clone, replaceGroupId: r.next() < 0.5 });
    if (res.status < 300) state.flags.set(clone, { envs: {} });
  } else if (roll < 0.9 && state.flags.size > 1) {
    const [child, parent] = r.sample(liveFlags(), 2);
    await call('POST', `${flagPath(child)}/dependencies`, { feature: parent, enabled: r.next() < 0.8 });
    if (r.next() < 0.3) await call('DELETE', `${flagPath(child)}/dependencies/${encodeURIComponent(parent)}`);
  } else {
    await call('GET', `/api/admin/projects/${PROJECT}/features/${encodeURIComponent(someFlag())}/parents`);
  }
}

async function configuration() {
  const roll = r.next();
  if (roll < 0.2) {
    const name = r.choice(SEGMENTS);
    const id = state.segments.get(name);
    if (id === undefined || r.next() < 0.2) return createSegment(name); // a name taken: 409
    if (r.next() < 0.6) await call('PUT', `/api/admin/segments/${id}`, { name, constraints: [constraint()] });
    else await call('GET', r.next() < 0.5 ? `/api/admin/segments/${id}` : `/api/admin/segments/${id}/strategies`);
  } else if (roll < 0.4) {
    const name = r.choice([...Object.keys(CONTEXT), 'customerTier', 'store.id']);
    if (!state.contextFields.has(name)) {
      const res = await call('POST', '/api/admin/context', { name, description: 'added later', legalValues: [] });
      if (res.status < 300) state.contextFields.add(name);
    } else if (r.next() < 0.5) {
      await call('POST', `/api/admin/context/${encodeURIComponent(name)}/legal-values`, { value: `${r.choice(['x', 'v', 'zone'])}-${r.int(1, 40)}`, description: 'new value' });
    } else await call('GET', r.next() < 0.5 ? `/api/admin/context/${encodeURIComponent(name)}` : `/api/admin/context/${encodeURIComponent(name)}/strategies`);
  } else if (roll < 0.55) {
    await call('GET', r.choice(['/api/admin/context', '/api/admin/segments', '/api/admin/strategies', '/api/admin/tag-types',
      '/api/admin/environments', '/api/admin/feature-types', '/api/admin/ui-config', '/api/admin/user', '/api/admin/projects']));
  } else if (roll < 0.7) {
    const q = new URLSearchParams({ limit: '20', offset: '0' });
    if (r.next() < 0.5) q.set('feature', `IS:${someFlag()}`);
    if (r.next() < 0.3) q.set('type', `IS:${r.choice(['feature-created', 'feature-strategy-add', 'feature-environment-enabled'])}`);
    await call('GET', r.next() < 0.7 ? `/api/admin/search/events?${q}` : `/api/admin/events/${encodeURIComponent(someFlag())}`);
  } else if (roll < 0.85) {
    const properties = {};
    for (const k of r.sample(Object.keys(CONTEXT), r.int(0, 3))) properties[k] = r.choice(CONTEXT[k]);
    await call('POST', '/api/admin/playground', { projects: r.choice(['*', [PROJECT]]), environment: r.choice(ENVS),
      context: { appName: r.choice(APPS), userId: `${r.choice(PEOPLE)}@example.com`, ...(Object.keys(properties).length ? { properties } : {}) } });
  } else {
    await call('GET', flagPath(r.choice(['does-not-exist', 'ghost.flag'])));
  }
}

async function people() {
  const roll = r.next();
  if (roll < 0.35) {
    const who = r.choice(PEOPLE);
    const res = await call('POST', '/api/admin/user-admin', { email: `${who}.${r.int(1, 50)}@example.com`, name: who[0].toUpperCase() + who.slice(1), rootRole: r.choice([1, 2, 3]), sendEmail: false });
    if (res.status < 300) state.users.set(res.data.id, who);
  } else if (roll < 0.55 && state.users.size) {
    const id = r.choice([...state.users.keys()]);
    await call('PUT', `/api/admin/user-admin/${id}`, { name: `${state.users.get(id)} (${r.choice(['ops', 'PM', 'contractor'])})`, rootRole: r.choice([1, 2, 3]) });
  } else if (roll < 0.65 && state.users.size) {
    const id = r.choice([...state.users.keys()]);
    await call('DELETE', `/api/admin/user-admin/${id}`);
    state.users.delete(id);
  } else if (roll < 0.8) {
    await call('GET', r.choice(['/api/admin/user-admin', `/api/admin/user-admin/search?q=${r.choice(PEOPLE)}`, '/api/admin/user-admin/access']));
  } else if (roll < 0.92) {
    const res = await call('POST', '/api/admin/api-tokens', { tokenName: `${r.choice(APPS)}-${r.choice(ENVS)}`, type: r.choice(['client', 'frontend']),
      environment: r.choice(ENVS), projects: [PROJECT] });
    if (res.status < 300) state.tokens.push(res.data.secret);
  } else if (state.tokens.length) {
    await call('DELETE', `/api/admin/api-tokens/${encodeURIComponent(state.tokens.pop())}`);
  } else await call('GET', '/api/admin/api-tokens');
}

// A service starting the SDK: it registers, fetches its flags, evaluates them for the requests it serves
// and sends the counts when it stops.
async function service() {
  const appName = r.choice(APPS);
  const unleash = new Unleash({ url: `${BASE}/api/`, appName, environment: r.choice(ENVS), instanceId: `${appName}-${r.int(1, 9)}`,
    customHeaders: { Authorization: r.next() < 0.95 ? a.backendToken : 'default:development.not-a-token' },
    refreshInterval: 60000, metricsInterval: 60000, disableAutoStart: false, timeout: 5000 });
  unleash.on('error', () => {});
  await Promise.race([new Promise((ok) => unleash.once('synchronized', ok)), new Promise((ok) => setTimeout(ok, 3000))]);
  for (let i = r.int(3, 25); i > 0; i--) {
    const context = { userId: `${r.choice(PEOPLE)}-${r.int(1, 300)}`, properties: { region: r.choice(CONTEXT.region), tenantId: r.choice(CONTEXT.tenantId) } };
    if (r.next() < 0.7) unleash.isEnabled(r.choice(FLAGS), context);
    else unleash.getVariant(r.choice(FLAGS), context);
  }
  await unleash.destroyWithFlush();
}

// A web app asking the frontend API, as the browser SDK does (its context in the query).
async function frontend() {
  const q = new URLSearchParams({ appName: r.choice(['web-frontend', 'ios-app']), userId: `${r.choice(PEOPLE)}-${r.int(1, 300)}`, sessionId: String(r.int(1e5, 1e6)) });
  if (r.next() < 0.5) q.set('properties[region]', r.choice(CONTEXT.region));
  if (r.next() < 0.3) q.set('properties[plan]', r.choice(CONTEXT.plan));
  await call('GET', `/api/frontend?${q}`, undefined, r.next() < 0.95 ? a.frontendToken : 'bogus');
  if (r.next() < 0.3) await call('GET', r.next() < 0.5 ? '/api/admin/metrics/applications' : `/api/admin/metrics/applications/${r.choice(APPS)}`);
}

async function main() {
  await setup();
  await run([
    [readFlags, 14], [updateFlag, 5], [strategies, 14], [toggle, 8], [variantsStep, 5], [tags, 6], [lifecycle, 9],
    [configuration, 10], [people, 5], [service, 4], [frontend, 6],
  ], r, a, (e) => `${e.name}: ${String(e.message).slice(0, 120)}`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });

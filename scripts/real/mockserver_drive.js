// Drive a MockServer (its control API, /mockserver/...) with mockserver-client, MockServer's own Node client.
//
//     node mockserver_drive.js CONTROL_URL APP_URL --seed N [--rounds R] [--max-seconds S]
//
// Run by mockserver.sh with the node_modules it installed (NODE_PATH). CONTROL_URL is the recording proxy in
// front of MockServer (the client's calls: what is recorded); APP_URL is MockServer itself, where the team's
// app under test calls the endpoints it mocks (not recorded, as WireMock's recipe leaves its stubs' calls out).
// A team's integration tests: expectations for the services their app calls (a payments API, a user
// directory, a shipping quote service, feature flags), under paths, query parameters, headers and cookies
// each test names, JSON bodies and body matchers, times, time to live and priorities, some under ids the
// team picks (`payments-charge-ok`) and updated under them; simple responses; expectations from an inline
// OpenAPI description; the app's calls, then verifications (at least / at most, sequences, by id; failed
// ones: 406), recorded requests, request-responses, active expectations (JSON and as Java code), logs and
// metrics retrieved, cleared by path, by id and by type, a reset now and then; the clock frozen and moved;
// errors (an expectation MockServer cannot read: 400; a verification that fails: 406).
'use strict';

const { mockServerClient } = require('mockserver-client');
const { args, prng, run } = require('./drive');

const SERVICES = {
  payments: ['/v1/charges', '/v1/charges/{id}', '/v1/refunds', '/v1/customers/{id}/cards'],
  users: ['/api/users', '/api/users/{id}', '/api/users/{id}/roles', '/api/groups/{name}/members'],
  shipping: ['/quotes', '/shipments/{id}/track', '/carriers/{name}/rates'],
  flags: ['/flags/{name}', '/flags'],
  catalog: ['/catalog/v2/products', '/catalog/v2/products/{sku}', '/catalog/v2/search'],
};
const HEADERS = ['X-Tenant-Id', 'X-Request-Id', 'Authorization', 'X-Api-Version', 'Accept-Language', 'X-Correlation-ID',
  'x-acme-region', 'If-None-Match'];
const PARAMS = ['page', 'limit', 'q', 'currency', 'expand[]', 'filter.status', 'sort', 'country'];
const WORDS = ['alpha', 'north', 'blue', 'rapid', 'quiet', 'lumen', 'orbit', 'delta', 'cedar', 'harbor'];
const NAMES = ['anne.mueller', 'bob_smith', 'chloe-dubois', 'dmitri.k', 'eva_lab'];
const SKUS = ['SKU-10023', 'AX-500-BLK', 'bolt_m8x30', 'TSHIRT-L-RED'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

function concrete(rng, template) {
  return template.replace('{id}', () => (rng.next() < 0.5 ? String(rng.int(1, 99999)) : `ch_${rng.int(1e6, 9e6).toString(36)}`))
    .replace('{name}', () => rng.choice([...WORDS, ...NAMES])).replace('{sku}', () => rng.choice(SKUS));
}

function responseBody(rng, service) {
  if (service === 'payments') return { id: `ch_${rng.int(1e6, 9e6).toString(36)}`, amount: rng.int(100, 99999), currency: rng.choice(['eur', 'usd']), status: rng.choice(['succeeded', 'pending', 'failed']), metadata: { order_id: `ORD-${rng.int(1000, 9999)}` } };
  if (service === 'users') return { id: rng.int(1, 9999), username: rng.choice(NAMES), email: `${rng.choice(NAMES)}@acme.test`, roles: rng.sample(['admin', 'viewer', 'editor', 'billing'], rng.int(0, 3)) };
  if (service === 'shipping') return { quote: rng.int(300, 9000) / 100, carrier: rng.choice(['dhl', 'ups', 'postnl']), eta_days: rng.int(1, 9) };
  if (service === 'flags') return { name: rng.choice(['checkout.new-flow', 'search.v2', 'beta:dark-mode']), enabled: rng.next() < 0.5, rollout: rng.int(0, 100) };
  return { sku: rng.choice(SKUS), name: `${rng.choice(WORDS)} widget`, price: rng.int(100, 20000) / 100, stock: rng.int(0, 500) };
}

class Drive {
  constructor(control, app, rng) {
    const u = new URL(control);
    this.c = mockServerClient(u.hostname, Number(u.port));
    this.app = app;
    this.rng = rng;
    this.ids = []; // expectation ids the team picked
    this.paths = []; // [method, path] mocked
    this.n = 0;
  }

  matcher(loose) {
    const r = this.rng;
    const service = r.choice(Object.keys(SERVICES));
    const path = concrete(r, r.choice(SERVICES[service]));
    const m = { method: r.choice(METHODS), path };
    if (r.next() < 0.4) {
      m.queryStringParameters = {};
      for (const p of r.sample(PARAMS, r.int(1, 3))) m.queryStringParameters[p] = [r.choice([...WORDS, '1', '20', 'EUR'])];
    }
    if (r.next() < 0.5) {
      m.headers = {};
      for (const h of r.sample(HEADERS, r.int(1, 3))) m.headers[h] = [h === 'Authorization' ? 'Bearer .*' : r.choice(WORDS)];
    }
    if (r.next() < 0.15) m.cookies = { session: `s-${r.int(1000, 9999)}` };
    if (!loose && ['POST', 'PUT', 'PATCH'].includes(m.method) && r.next() < 0.6) {
      m.body = r.next() < 0.5
        ? { type: 'JSON', json: { amount: r.int(1, 500), currency: 'eur' }, matchType: r.choice(['ONLY_MATCHING_FIELDS', 'STRICT']) }
        : { type: 'REGEX', regex: `.*${r.choice(WORDS)}.*` };
    }
    return [service, m];
  }

  expectation(withId) {
    const r = this.rng;
    const [service, req] = this.matcher(false);
    const status = r.choice([200, 200, 200, 201, 204, 400, 404, 409, 500, 503]);
    const res = { statusCode: status, headers: { 'Content-Type': ['application/json'] } };
    if (status !== 204) res.body = JSON.stringify(responseBody(r, service));
    if (r.next() < 0.3) res.headers[r.choice(['X-RateLimit-Remaining', 'ETag', 'Retry-After', 'x-acme-trace'])] = [String(r.int(0, 999))];
    if (r.next() < 0.2) res.delay = { timeUnit: 'MILLISECONDS', value: r.int(1, 20) };
    if (r.next() < 0.15) res.cookies = { session: `s-${r.int(1000, 9999)}` };
    const e = { httpRequest: req, httpResponse: res };
    if (r.next() < 0.4) e.times = { remainingTimes: r.int(1, 5), unlimited: false };
    if (r.next() < 0.2) e.timeToLive = { timeUnit: 'SECONDS', timeToLive: r.int(30, 600), unlimited: false };
    if (r.next() < 0.3) e.priority = r.int(-5, 10);
    if (withId) e.id = withId;
    return e;
  }

  async mock() {
    const r = this.rng;
    let id = null;
    if (r.next() < 0.35) {
      id = this.ids.length && r.next() < 0.4 ? r.choice(this.ids) // the same id: an update
        : `${r.choice(Object.keys(SERVICES))}-${r.choice(['ok', 'not-found', 'slow', 'error', 'empty', 'v2'])}-${this.n++}`;
      if (!this.ids.includes(id)) this.ids.push(id);
    }
    const batch = r.next() < 0.15 ? [this.expectation(null), this.expectation(null)] : this.expectation(id);
    await this.c.mockAnyResponse(batch);
    for (const e of Array.isArray(batch) ? batch : [batch]) this.paths.push([e.httpRequest.method, e.httpRequest.path]);
  }

  async simple() {
    const r = this.rng;
    const service = r.choice(Object.keys(SERVICES));
    const path = concrete(r, r.choice(SERVICES[service]));
    await this.c.mockSimpleResponse(path, responseBody(r, service), r.choice([200, 201, 404]));
    this.paths.push(['GET', path]);
  }

  async openapi() {
    const r = this.rng;
    const spec = { openapi: '3.0.0', info: { title: `${r.choice(WORDS)} service`, version: '1.0.0' },
      paths: { [`/${r.choice(['pets', 'orders', 'tickets'])}/{id}`]: { get: { operationId: `get${r.choice(['Pet', 'Order', 'Ticket'])}`,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } } } } } } } } } };
    const op = Object.values(spec.paths)[0].get.operationId;
    await this.c.openAPIExpectation({ specUrlOrPayload: JSON.stringify(spec), operationsAndResponses: { [op]: '200' } });
  }

  async appCalls() { // the app under test, straight to MockServer: not recorded
    const r = this.rng;
    for (let i = r.int(1, 4); i > 0 && this.paths.length; i--) {
      const [method, path] = r.choice(this.paths);
      await fetch(`${this.app}${path}`, { method, headers: { 'X-Tenant-Id': r.choice(WORDS) },
        body: ['POST', 'PUT', 'PATCH'].includes(method) ? JSON.stringify({ amount: r.int(1, 500), currency: 'eur' }) : undefined })
        .then((res) => res.arrayBuffer()).catch(() => null);
    }
  }

  async verify() {
    const r = this.rng;
    const x = r.next();
    try {
      if (x < 0.5 && this.paths.length) {
        const [method, path] = r.choice(this.paths);
        await this.c.verify({ method, path }, r.int(0, 1), r.next() < 0.5 ? r.int(2, 10) : undefined);
      } else if (x < 0.7 && this.paths.length >= 2) {
        await this.c.verifySequence(...r.sample(this.paths, 2).map(([method, path]) => ({ method, path })));
      } else if (x < 0.85 && this.ids.length) {
        await this.c.verifyById({ id: r.choice(this.ids) }, 0);
      } else {
        await this.c.verify({ path: concrete(r, r.choice(SERVICES.users)) }, 1, 1); // often fails: 406
      }
    } catch (e) {
      console.error(`verification failed: ${String(e).slice(0, 80)}`);
    }
  }

  async retrieve() {
    const r = this.rng;
    const x = r.next();
    const filter = r.next() < 0.5 && this.paths.length ? { path: r.choice(this.paths)[1] } : undefined;
    if (x < 0.25) await this.c.retrieveRecordedRequests(filter || { path: '/.*' });
    else if (x < 0.45) await this.c.retrieveActiveExpectations(filter || {});
    else if (x < 0.6) await this.c.retrieveRecordedRequestsAndResponses(filter || {});
    else if (x < 0.7) await this.c.retrieveExpectationsAsCode(r.choice(['java', 'json']), filter || {});
    else if (x < 0.8) await this.c.retrieveRecordedExpectations(filter || {});
    else if (x < 0.9) await this.c.retrieveLogMessages(filter || {});
    else await this.c.retrieveConfiguration();
  }

  async clear() {
    const r = this.rng;
    const x = r.next();
    if (x < 0.4 && this.paths.length) {
      const i = r.int(0, this.paths.length - 1);
      await this.c.clear({ path: this.paths[i][1] }, r.choice(['EXPECTATIONS', 'LOG', 'ALL']));
      this.paths.splice(i, 1);
    } else if (x < 0.75 && this.ids.length) {
      const i = r.int(0, this.ids.length - 1);
      await this.c.clearById(this.ids[i], r.choice([undefined, 'EXPECTATIONS', 'ALL']));
      this.ids.splice(i, 1);
    } else if (x < 0.9) {
      await this.c.clear(`/api/users/${r.int(1, 9999)}`, 'LOG');
    } else {
      await this.c.reset();
      this.paths = [];
      this.ids = [];
    }
  }

  async clock() {
    const r = this.rng;
    const x = r.next();
    if (x < 0.3) await this.c.freezeClock(new Date(Date.UTC(2026, r.int(0, 11), r.int(1, 28))).toISOString());
    else if (x < 0.6) await this.c.advanceClock(r.int(1, 3600) * 1000);
    else if (x < 0.8) await this.c.clockStatus();
    else await this.c.resetClock();
  }

  async errors() {
    const r = this.rng;
    const x = r.next();
    const raw = (path, body) => fetch(`${this.control}${path}`, { method: 'PUT', body }).then((res) => res.text());
    try {
      if (x < 0.4) await this.c.mockAnyResponse({ httpRequest: { path: 42, method: ['GET'] }, httpResponse: { statusCode: 'ok' } });
      else if (x < 0.6) await raw('/mockserver/expectation', '{"httpRequest": ');
      else if (x < 0.8) await raw(`/mockserver/retrieve?type=${r.choice(['EVERYTHING', 'requests'])}`, '{}');
      else await this.c.verify({ path: `/never/${r.choice(WORDS)}` }, 1);
    } catch (e) {
      console.error(`expected: ${String(e).slice(0, 80)}`);
    }
  }
}

async function main() {
  const a = args(process.argv.slice(2), "mockserver_drive.js", ["app"], 1400);
  const rng = prng(a.seed);
  const d = new Drive(a.url, a.app, rng);
  d.control = a.url;
  for (let i = 0; i < 15; i++) await d.mock();
  await run([
    [() => d.mock(), 14], [() => d.simple(), 3], [() => d.openapi(), 1], [() => d.appCalls(), 12],
    [() => d.verify(), 8], [() => d.retrieve(), 9], [() => d.clear(), 3], [() => d.clock(), 1.5],
    [() => d.errors(), 3],
  ], rng, a, (e) => `${(e && e.statusCode) || ''} ${String((e && e.body) || e).slice(0, 120)}`);
}

main().catch((e) => { console.error(e); process.exit(1); });

// What the Node drivers (directus_drive.js, pocketbase_drive.js, pouchdb_drive.js) share: their command
// line, as workload.py's, a seeded PRNG, so one seed gives one workload, and the loop of weighted steps.
'use strict';

// `SCRIPT URL NAME... --seed N [--rounds R] [--max-seconds S]`: the URL and the driver's other positional
// arguments (`names`: its admin's email and password, say) set on the result under their names.
function args(argv, script, names, rounds) {
  const out = { pos: [], seed: null, rounds, maxSeconds: 0 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--seed') out.seed = Number(argv[++i]);
    else if (argv[i] === '--rounds') out.rounds = Number(argv[++i]);
    else if (argv[i] === '--max-seconds') out.maxSeconds = Number(argv[++i]);
    else out.pos.push(argv[i]);
  }
  const want = ['url', ...names];
  if (out.pos.length !== want.length || out.seed === null) {
    throw new Error(`usage: ${script} ${want.map((n) => n.toUpperCase()).join(' ')} --seed N`);
  }
  want.forEach((name, i) => { out[name] = out.pos[i]; });
  return out;
}

// mulberry32: a small seeded PRNG.
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const choice = (xs) => xs[Math.floor(next() * xs.length)];
  const sample = (xs, k) => {
    const pool = [...xs];
    const got = [];
    while (got.length < k && pool.length) got.push(pool.splice(Math.floor(next() * pool.length), 1)[0]);
    return got;
  };
  return { next, int, choice, sample };
}

// `rounds` steps (fewer past `maxSeconds`), each drawn from `steps` ([call, weight] pairs) by weight. A
// step that throws is told by `describe(error)` on stderr and the loop goes on, as workload.run does.
async function run(steps, rng, a, describe) {
  const total = steps.reduce((s, [, w]) => s + w, 0);
  const end = a.maxSeconds ? Date.now() + a.maxSeconds * 1000 : Infinity;
  for (let i = 0; i < a.rounds && Date.now() < end; i++) {
    let x = rng.next() * total;
    const step = steps.find(([, w]) => (x -= w) < 0) || steps[steps.length - 1];
    try {
      await step[0]();
    } catch (e) {
      console.error(describe(e));
    }
  }
}

module.exports = { args, prng, run };

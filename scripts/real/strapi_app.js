// Write the Strapi 5 app that strapi.sh serves: `node strapi_app.js DIR` makes DIR a JavaScript project (its
// config, a content team's data model under src/api, a bootstrap that mints the full-access API token the
// driver's client sends). The model is a magazine's and its shop's: collection types under the plural
// names the team chose (in every `/api/{pluralName}` path), two single types, components, relations.
'use strict';

const fs = require('fs');
const path = require('path');

const dir = process.argv[2];
const write = (rel, body) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), typeof body === 'string' ? body : JSON.stringify(body, null, 2));
};

// [singular, plural, kind, draftAndPublish, attributes]
const TYPES = [
  ['author', 'authors', 'collectionType', false, {
    name: { type: 'string', required: true }, email: { type: 'email' }, bio: { type: 'text' },
    socials: { type: 'json' }, avatar: { type: 'media', multiple: false, allowedTypes: ['images'] },
    articles: { type: 'relation', relation: 'oneToMany', target: 'api::article.article', mappedBy: 'author' },
  }],
  ['category', 'categories', 'collectionType', false, {
    name: { type: 'string', required: true, unique: true }, slug: { type: 'uid', targetField: 'name' },
    description: { type: 'text' },
  }],
  ['article', 'articles', 'collectionType', true, {
    title: { type: 'string', required: true }, slug: { type: 'uid', targetField: 'title' },
    body: { type: 'richtext' }, excerpt: { type: 'text', maxLength: 300 },
    reading_minutes: { type: 'integer', min: 1 }, featured: { type: 'boolean', default: false },
    kind: { type: 'enumeration', enum: ['news', 'howto', 'opinion', 'release-notes'] },
    seo: { type: 'component', repeatable: false, component: 'shared.seo' },
    extra: { type: 'json' },
    author: { type: 'relation', relation: 'manyToOne', target: 'api::author.author', inversedBy: 'articles' },
    categories: { type: 'relation', relation: 'manyToMany', target: 'api::category.category' },
    cover: { type: 'media', multiple: false, allowedTypes: ['images', 'files'] },
  }],
  ['product', 'products', 'collectionType', true, {
    name: { type: 'string', required: true }, sku: { type: 'string', required: true, unique: true },
    price: { type: 'decimal', required: true, min: 0 }, in_stock: { type: 'boolean', default: true },
    stock: { type: 'integer', default: 0 }, rating: { type: 'float' }, specs: { type: 'json' },
    released_on: { type: 'date' }, variants: { type: 'component', repeatable: true, component: 'shop.variant' },
  }],
  ['event', 'events', 'collectionType', false, {
    title: { type: 'string', required: true }, starts_at: { type: 'datetime', required: true },
    doors: { type: 'time' }, capacity: { type: 'integer' }, online: { type: 'boolean' },
    venue: { type: 'string' }, ticket_price: { type: 'decimal' },
  }],
  ['job-post', 'job-posts', 'collectionType', true, {
    role: { type: 'string', required: true }, team: { type: 'string' }, remote: { type: 'boolean' },
    salary_max: { type: 'biginteger' }, perks: { type: 'json' }, description: { type: 'blocks' },
  }],
  ['newsletter-signup', 'newsletter-signups', 'collectionType', false, {
    email: { type: 'email', required: true, unique: true }, source: { type: 'string' }, consent: { type: 'boolean' },
  }],
  ['homepage', 'homepages', 'singleType', true, {
    hero_title: { type: 'string' }, hero_text: { type: 'text' }, blocks: { type: 'json' },
    seo: { type: 'component', repeatable: false, component: 'shared.seo' },
  }],
  ['site-setting', 'site-settings', 'singleType', false, {
    site_name: { type: 'string' }, maintenance: { type: 'boolean' }, contact_email: { type: 'email' },
    links: { type: 'component', repeatable: true, component: 'shared.link' },
  }],
];

const COMPONENTS = {
  'shared/seo': { collectionName: 'components_shared_seos', info: { displayName: 'seo' }, attributes: { meta_title: { type: 'string' }, meta_description: { type: 'text' }, no_index: { type: 'boolean' } } },
  'shared/link': { collectionName: 'components_shared_links', info: { displayName: 'link' }, attributes: { label: { type: 'string' }, url: { type: 'string' } } },
  'shop/variant': { collectionName: 'components_shop_variants', info: { displayName: 'variant' }, attributes: { label: { type: 'string' }, sku_suffix: { type: 'string' }, price_delta: { type: 'decimal' } } },
};

write('package.json', { name: 'realset-magazine', private: true, version: '0.1.0', strapi: { uuid: false, telemetryDisabled: true }, dependencies: { '@strapi/strapi': '5.54.0', '@strapi/plugin-users-permissions': '5.54.0', '@strapi/plugin-documentation': '5.54.0', 'better-sqlite3': '*' } });
write('config/server.js', "module.exports = ({ env }) => ({ host: env('HOST', '127.0.0.1'), port: env.int('PORT', 1337), app: { keys: ['realset-key-a', 'realset-key-b'] } });\n");
write('config/admin.js', "module.exports = () => ({ serveAdminPanel: false, auth: { secret: 'realset-admin-jwt' }, apiToken: { salt: 'realset-api-token-salt' }, transfer: { token: { salt: 'realset-transfer-salt' } } });\n");
write('config/database.js', "module.exports = ({ env }) => ({ connection: { client: 'sqlite', connection: { filename: env('DATABASE_FILENAME') }, useNullAsDefault: true } });\n");
write('config/plugins.js', "module.exports = () => ({ 'users-permissions': { config: { jwtSecret: 'realset-users-jwt' } }, documentation: { enabled: true } });\n");
write('config/middlewares.js', "module.exports = ['strapi::logger', 'strapi::errors', 'strapi::security', 'strapi::cors', 'strapi::poweredBy', 'strapi::query', 'strapi::body', 'strapi::session', 'strapi::favicon', 'strapi::public'];\n");
fs.mkdirSync(path.join(dir, 'public/uploads'), { recursive: true });
for (const [rel, schema] of Object.entries(COMPONENTS)) write(`src/components/${rel}.json`, schema);
for (const [single, plural, kind, draft, attributes] of TYPES) {
  const uid = `api::${single}.${single}`;
  write(`src/api/${single}/content-types/${single}/schema.json`, {
    kind, collectionName: plural.replace(/-/g, '_'),
    info: { singularName: single, pluralName: plural, displayName: single },
    options: { draftAndPublish: draft }, attributes,
  });
  write(`src/api/${single}/controllers/${single}.js`, `module.exports = require('@strapi/strapi').factories.createCoreController('${uid}');\n`);
  write(`src/api/${single}/routes/${single}.js`, `module.exports = require('@strapi/strapi').factories.createCoreRouter('${uid}');\n`);
  write(`src/api/${single}/services/${single}.js`, `module.exports = require('@strapi/strapi').factories.createCoreService('${uid}');\n`);
}
// The driver's client authenticates with a full-access API token; the site's readers (users-permissions'
// public and authenticated roles) may read the published content and sign up for the newsletter.
write('src/index.js', `'use strict';
const fs = require('fs');
module.exports = {
  register() {},
  async bootstrap({ strapi }) {
    const token = await strapi.service('admin::api-token').create({
      name: 'realset-driver', type: 'full-access', lifespan: null, description: 'the recipe driver',
    });
    fs.writeFileSync(process.env.REALSET_TOKEN_FILE, token.accessKey);
    const allow = {
      public: ['api::article.article.find', 'api::article.article.findOne', 'api::category.category.find',
        'api::product.product.find', 'api::product.product.findOne', 'api::event.event.find',
        'api::homepage.homepage.find', 'api::newsletter-signup.newsletter-signup.create'],
      authenticated: ['api::article.article.find', 'api::article.article.findOne', 'api::product.product.find',
        'api::event.event.find', 'api::event.event.findOne', 'api::job-post.job-post.find', 'plugin::users-permissions.user.me'],
    };
    for (const [type, actions] of Object.entries(allow)) {
      const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type } });
      for (const action of actions) {
        await strapi.db.query('plugin::users-permissions.permission').create({ data: { action, role: role.id } });
      }
    }
  },
};
`);

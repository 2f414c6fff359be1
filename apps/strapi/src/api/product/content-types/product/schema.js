'use strict';

/**
 * Product copy kept in step with Medusa. A .js schema (Strapi loads schema.js like schema.json)
 * so the choices below can carry their reasons; the admin panel's builder is off anyway.
 */
module.exports = {
  kind: 'collectionType',
  collectionName: 'products',
  info: {
    singularName: 'product',
    pluralName: 'products',
    displayName: 'Product',
    description: 'Editorial copy for a Medusa product, linked by medusa_id.',
  },
  options: {
    // Draft & publish off: with it on, every document has a draft row and a published row, REST
    // reads return only published ones, a write needs an explicit publish step, and unique
    // checks ignore drafts. The hub's idempotent upsert relies on "one row per medusa_id that
    // every read sees", which only holds without drafts.
    draftAndPublish: false,
  },
  pluginOptions: {},
  attributes: {
    medusa_id: {
      type: 'string',
      required: true,
      // `unique` is Strapi's validator check: a query before the insert, so two concurrent
      // creates can both pass it. `column.unique` adds a real UNIQUE index (safe only because
      // draft & publish is off, i.e. one row per entry) so the database settles such a race.
      unique: true,
      column: { unique: true },
    },
    title: { type: 'string' },
    handle: { type: 'string' },
    description: { type: 'text' },
    skus: { type: 'json' },
    // Content the CMS owns: editors write these, the hub never overwrites them from Medusa.
    subtitle: { type: 'string' },
    seo_title: { type: 'string' },
    seo_description: { type: 'text' },
    // Written by the hub when it creates the entry: the run step's key (workflow id + step).
    // Strapi has no idempotency keys, so this is what proves to an undo whose create's outcome
    // is unknown (lost response, cancelled run) that the entry is its own and not one an editor
    // or a backfill made before; an entry without it is never deleted by a rollback.
    hub_created_by: { type: 'string', private: false },
  },
};

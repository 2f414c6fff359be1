'use strict';

// Strapi's default stack; it refuses to start if any of these is missing (favicon included,
// although a headless CMS serves none: without the file, /favicon.ico simply answers 404).
module.exports = [
  'strapi::logger',
  'strapi::errors',
  'strapi::security',
  'strapi::cors',
  'strapi::poweredBy',
  'strapi::query',
  'strapi::body',
  'strapi::session',
  'strapi::favicon',
  'strapi::public',
];

'use strict';

const { requiredEnv } = require('../lib/required-env');

module.exports = ({ env }) => ({
  // Loopback by default: this CMS is a local development and test double, not a public site.
  host: env('HOST', '127.0.0.1'),
  port: env.int('PORT', 1337),
  app: { keys: requiredEnv('APP_KEYS').split(',') },
  logger: {
    // The update notifier asks the npm registry for a newer version; the stack must start offline.
    updates: { enabled: false },
  },
  transfer: { remote: { enabled: false } },
});

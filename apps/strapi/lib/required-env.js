'use strict';

/**
 * Strapi's `env()` returns undefined for a missing variable, and a missing salt or key only
 * surfaces later as a confusing crypto error (or, worse, an empty salt). Failing at config load
 * names the variable instead. Lives outside config/ because Strapi loads every file there as a
 * config namespace.
 */
function requiredEnv(name) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Strapi: environment variable ${name} is required (the hub's stack sets it; see src/stack/strapi.ts)`);
  }
  return value;
}

module.exports = { requiredEnv };

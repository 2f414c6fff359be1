'use strict';

const { requiredEnv } = require('../lib/required-env');

module.exports = () => ({
  // Headless use only: serving the panel would need an admin build (minutes, hundreds of MB).
  serveAdminPanel: false,
  auth: { secret: requiredEnv('ADMIN_JWT_SECRET') },
  // The static API token's key is stored as HMAC-SHA512(key, salt): the salt must stay the same
  // across restarts or the configured token stops matching (src/stack/strapi.ts persists it).
  apiToken: { salt: requiredEnv('API_TOKEN_SALT') },
  transfer: { token: { salt: requiredEnv('TRANSFER_TOKEN_SALT') } },
  secrets: { encryptionKey: requiredEnv('ENCRYPTION_KEY') },
  // Both would only matter to the admin UI and would call Strapi's servers.
  flags: { nps: false, promoteEE: false },
  ai: { enabled: false },
});

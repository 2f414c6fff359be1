'use strict';

const { requiredEnv } = require('../lib/required-env');

module.exports = () => ({
  'users-permissions': { config: { jwtSecret: requiredEnv('JWT_SECRET') } },
});

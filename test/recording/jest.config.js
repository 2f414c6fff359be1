// The suite's own jest config, plus the recording scenarios and a teardown that saves every
// run's history before the stack stops (scripts/record-histories.sh).
const { join } = require('node:path');
const base = require('../../jest.config.js');

module.exports = {
  ...base,
  rootDir: join(__dirname, '..', '..'),
  testMatch: [...base.testMatch, '**/test/recording/*.record.ts'],
  globalTeardown: '<rootDir>/test/recording/dump-histories.ts',
};

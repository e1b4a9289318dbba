module.exports = require('./build-dir').teardown;

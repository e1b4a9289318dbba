#!/usr/bin/env node
// Checks, before anything is provisioned, that every probe region offers Flex Consumption, so an
// unsupported or misspelt region fails in seconds instead of late in the ARM deployment. azd runs it
// as the preprovision hook; run it by hand the same way:
//
//   node scripts/check-regions.js
//
// Regions: SQLPROBE_REGIONS (the JSON array of the `regions` parameter) or, without it,
// AZURE_LOCATION; AZURE_SUBSCRIPTION_ID picks the subscription. Needs the Azure CLI, logged in (the
// deployment needs it too: it publishes the package with it).
'use strict';
const { spawnSync } = require('node:child_process');

/** Region names as ARM spells them ("East US 2" → "eastus2"). */
const normalise = (name) => String(name).toLowerCase().replace(/\s+/g, '');

/** The regions a deployment with this environment probes from. */
function regionsFromEnv(env) {
  const raw = env.SQLPROBE_REGIONS?.trim();
  if (raw && raw !== '[]') {
    let regions;
    try {
      regions = JSON.parse(raw);
    } catch {
      throw new Error('SQLPROBE_REGIONS is not valid JSON; expected an array such as [{"location":"eastus2"}]');
    }
    if (!Array.isArray(regions) || regions.some((r) => typeof r?.location !== 'string' || !r.location)) {
      throw new Error('SQLPROBE_REGIONS: expected an array of objects with a "location", such as [{"location":"eastus2"}]');
    }
    return [...new Set(regions.map((r) => normalise(r.location)))];
  }
  if (!env.AZURE_LOCATION) throw new Error('set AZURE_LOCATION (azd env set AZURE_LOCATION eastus2) or SQLPROBE_REGIONS');
  return [normalise(env.AZURE_LOCATION)];
}

/** The regions that offer Flex Consumption, from `az functionapp list-flexconsumption-locations`. */
function offeredRegions(env) {
  const args = ['functionapp', 'list-flexconsumption-locations', '-o', 'json', ...(env.AZURE_SUBSCRIPTION_ID ? ['--subscription', env.AZURE_SUBSCRIPTION_ID] : [])];
  // az is az.cmd on Windows, which only starts through a shell; a subscription ID is a GUID.
  if (env.AZURE_SUBSCRIPTION_ID && !/^[0-9a-f-]{36}$/i.test(env.AZURE_SUBSCRIPTION_ID)) throw new Error('AZURE_SUBSCRIPTION_ID is not a subscription ID (a GUID)');
  const result = spawnSync('az', args, { env, encoding: 'utf8', shell: process.platform === 'win32' });
  if (result.error?.code === 'ENOENT') throw new Error('the Azure CLI (az) is not installed; install it and run `az login`: the deployment publishes the package with it');
  if (result.status !== 0) throw new Error(`az functionapp list-flexconsumption-locations failed (run \`az login\`, and check the subscription):\n${(result.stderr || '').trim()}`);
  const listed = JSON.parse(result.stdout);
  return new Set(listed.flatMap((l) => [l.name, l.displayName].filter(Boolean).map(normalise)));
}

/** The regions of env that do not offer Flex Consumption; throws when the check cannot run. */
function unsupportedRegions(env = process.env) {
  const regions = regionsFromEnv(env);
  const offered = offeredRegions(env);
  return { regions, missing: regions.filter((r) => !offered.has(r)), offered: [...offered].sort() };
}

module.exports = { regionsFromEnv, unsupportedRegions };

if (require.main === module) {
  try {
    const { regions, missing, offered } = unsupportedRegions();
    if (missing.length > 0) {
      console.error(`check-regions: Flex Consumption is not offered in ${missing.join(', ')}; pick regions from: ${offered.join(', ')}`);
      process.exit(1);
    }
    console.log(`check-regions: Flex Consumption is offered in ${regions.join(', ')}`);
  } catch (err) {
    console.error(`check-regions: ${err.message}`);
    process.exit(1);
  }
}

import { join } from 'node:path';
import { loadPlanFile } from '@duban/plan';
import { buildCampaignInput, buildStoredCampaign } from '@duban/client';
import { generateKeyPair } from '@duban/identity';
import { syntheticPlan } from './synthetic-plan';
(async () => {
  const seed = await loadPlanFile(join(__dirname, '..', '..', 'plans', 'xihu-2020.yaml'));
  for (const n of [20, 200, 600, 1000, 10000]) {
    let t = Date.now();
    const plan = syntheticPlan(seed, n);
    const tPlan = Date.now() - t; t = Date.now();
    const keyring = { 'hq-office-clerk': [generateKeyPair('hq-office-clerk', new Date().toISOString()).roster] };
    const c = buildStoredCampaign(plan, { keyring });
    const tBuild = Date.now() - t;
    const legacy = JSON.stringify(buildCampaignInput(plan, { keyring })).length;
    console.log(n, { tPlan, tBuild, input: JSON.stringify(c.input).length, legacy, stored: c.input.plan, parts: c.parts.length, perTaskLegacy: Math.round(legacy / n) });
  }
})();

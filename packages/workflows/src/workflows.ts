/**
 * The bundle entry of the workflow code (`@duban/workflows/workflows`): the workflow
 * functions and nothing else. The worker bundles this file; clients import its types only
 * (`import type { taskWorkflow } from '@duban/workflows/workflows'`).
 */
export { taskWorkflow } from './task/workflow';
export { campaignWorkflow } from './campaign';
export { storePlanWorkflow } from './store-plan';

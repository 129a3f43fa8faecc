// Prepares one migrated database template per test run (see test/test-database.ts).
import { dropTemplate, prepareTemplate } from './test-database.js';

export async function setup() {
  await prepareTemplate();
}

export async function teardown() {
  await dropTemplate();
}

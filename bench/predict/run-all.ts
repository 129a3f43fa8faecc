/** Runs every predict bench in sequence; each appends its own section to BENCHMARKS.md. */
import { run as maven } from './maven-crm-sales-opportunities.bench.js';
import { run as olist } from './olist-marketing-funnel.bench.js';
import { run as trainingTime } from './training-time.bench.js';
import { run as walmart } from './walmart-weekly-sales.bench.js';
import { run as xEducation } from './x-education-lead-scoring.bench.js';

for (const bench of [xEducation, olist, maven, walmart, trainingTime]) await bench();

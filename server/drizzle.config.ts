import { defineConfig } from 'drizzle-kit';

// One schema, one migration set for PGlite and PostgreSQL.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/platform/**/*.schema.ts', './src/modules/**/*.schema.ts'],
  out: './drizzle',
});

import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  display_name: text('display_name'),
  default_locale: text('default_locale').notNull().default('zh-CN'),
  default_currency: text('default_currency').notNull().default('CNY'),
  created_at: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

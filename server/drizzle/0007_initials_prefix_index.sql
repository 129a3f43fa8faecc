DROP INDEX "accounts_initials_trgm_idx";--> statement-breakpoint
DROP INDEX "contacts_initials_trgm_idx";--> statement-breakpoint
DROP INDEX "opps_initials_trgm_idx";--> statement-breakpoint
CREATE INDEX "accounts_initials_prefix_idx" ON "accounts" USING btree ("tenant_id","name_initials" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "contacts_initials_prefix_idx" ON "contacts" USING btree ("tenant_id","name_initials" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "opps_initials_prefix_idx" ON "opportunities" USING btree ("tenant_id","name_initials" text_pattern_ops);
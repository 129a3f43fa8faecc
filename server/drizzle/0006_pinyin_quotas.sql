CREATE TABLE "quotas" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"period" text NOT NULL,
	"period_kind" text NOT NULL,
	"scope" text NOT NULL,
	"scope_key" text NOT NULL,
	"amount" real NOT NULL,
	"currency" text DEFAULT 'CNY' NOT NULL,
	"note" text,
	"source" text DEFAULT 'manual' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "name_pinyin" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "name_initials" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "name_pinyin" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "name_initials" text;--> statement-breakpoint
ALTER TABLE "opportunities" ADD COLUMN "name_pinyin" text;--> statement-breakpoint
ALTER TABLE "opportunities" ADD COLUMN "name_initials" text;--> statement-breakpoint
ALTER TABLE "quotas" ADD CONSTRAINT "quotas_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "quotas_scope_uq" ON "quotas" USING btree ("tenant_id","period","scope","scope_key");--> statement-breakpoint
CREATE INDEX "quotas_period_idx" ON "quotas" USING btree ("tenant_id","period_kind","period");--> statement-breakpoint
CREATE INDEX "accounts_tenant_pinyin_idx" ON "accounts" USING btree ("tenant_id","name_pinyin","id");--> statement-breakpoint
CREATE INDEX "accounts_pinyin_missing_idx" ON "accounts" USING btree ("id") WHERE "accounts"."name_pinyin" is null or "accounts"."name_initials" is null;--> statement-breakpoint
CREATE INDEX "accounts_pinyin_trgm_idx" ON "accounts" USING gin ("name_pinyin" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "accounts_initials_prefix_idx" ON "accounts" USING btree ("tenant_id","name_initials" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "contacts_tenant_pinyin_idx" ON "contacts" USING btree ("tenant_id","name_pinyin","id");--> statement-breakpoint
CREATE INDEX "contacts_pinyin_missing_idx" ON "contacts" USING btree ("id") WHERE "contacts"."name_pinyin" is null or "contacts"."name_initials" is null;--> statement-breakpoint
CREATE INDEX "contacts_pinyin_trgm_idx" ON "contacts" USING gin ("name_pinyin" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "contacts_initials_prefix_idx" ON "contacts" USING btree ("tenant_id","name_initials" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "opps_tenant_pinyin_idx" ON "opportunities" USING btree ("tenant_id","name_pinyin","id");--> statement-breakpoint
CREATE INDEX "opps_pinyin_missing_idx" ON "opportunities" USING btree ("id") WHERE "opportunities"."name_pinyin" is null or "opportunities"."name_initials" is null;--> statement-breakpoint
CREATE INDEX "opps_pinyin_trgm_idx" ON "opportunities" USING gin ("name_pinyin" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "opps_initials_prefix_idx" ON "opportunities" USING btree ("tenant_id","name_initials" text_pattern_ops);
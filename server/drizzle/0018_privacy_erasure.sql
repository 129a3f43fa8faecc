CREATE TABLE "privacy_erasure_ledger" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"erasure_id" uuid NOT NULL,
	"case_id" uuid,
	"contact_id" uuid NOT NULL,
	"salt" text NOT NULL,
	"email_hashes" text[] DEFAULT '{}'::text[] NOT NULL,
	"phone_hashes" text[] DEFAULT '{}'::text[] NOT NULL,
	"name_hashes" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lifted_at" timestamp with time zone,
	"lifted_by" uuid,
	"lifted_by_name" text,
	"lifted_reason" text
);
--> statement-breakpoint
CREATE TABLE "privacy_erasure_receipts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"erasure_id" uuid NOT NULL,
	"system_kind" text NOT NULL,
	"system_id" uuid NOT NULL,
	"system_label" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"confirmed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "privacy_erasures" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"case_id" uuid,
	"contact_id" uuid NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"trigger" text DEFAULT 'case' NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" uuid,
	"actor_name" text,
	"report" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"rows_touched" integer DEFAULT 0 NOT NULL,
	"event_id" bigint,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "privacy_exports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"done_steps" integer DEFAULT 0 NOT NULL,
	"total_steps" integer DEFAULT 0 NOT NULL,
	"requested_by_type" text NOT NULL,
	"requested_by_id" uuid,
	"requested_by_name" text,
	"file_name" text,
	"file_bytes" integer,
	"records" integer,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "privacy_salts" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"salt" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "privacy_erasure_ledger" ADD CONSTRAINT "privacy_erasure_ledger_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_erasure_receipts" ADD CONSTRAINT "privacy_erasure_receipts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_erasure_receipts" ADD CONSTRAINT "privacy_erasure_receipts_erasure_id_privacy_erasures_id_fk" FOREIGN KEY ("erasure_id") REFERENCES "public"."privacy_erasures"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_erasures" ADD CONSTRAINT "privacy_erasures_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_exports" ADD CONSTRAINT "privacy_exports_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_salts" ADD CONSTRAINT "privacy_salts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "privacy_erasure_ledger_erasure_uq" ON "privacy_erasure_ledger" USING btree ("tenant_id","erasure_id");--> statement-breakpoint
CREATE INDEX "privacy_erasure_ledger_emails_idx" ON "privacy_erasure_ledger" USING gin ("email_hashes");--> statement-breakpoint
CREATE UNIQUE INDEX "privacy_erasure_receipts_uq" ON "privacy_erasure_receipts" USING btree ("tenant_id","erasure_id","system_kind","system_id");--> statement-breakpoint
CREATE INDEX "privacy_erasures_tenant_idx" ON "privacy_erasures" USING btree ("tenant_id","started_at");--> statement-breakpoint
CREATE INDEX "privacy_exports_contact_idx" ON "privacy_exports" USING btree ("tenant_id","contact_id","created_at");--> statement-breakpoint
CREATE INDEX "privacy_exports_expiry_idx" ON "privacy_exports" USING btree ("expires_at");
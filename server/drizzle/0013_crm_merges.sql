CREATE TABLE "record_moves" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"module" text NOT NULL,
	"what" text NOT NULL,
	"from_id" uuid NOT NULL,
	"to_id" uuid NOT NULL,
	"row_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"undone_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "crm_merges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"entity" text NOT NULL,
	"survivor_id" uuid NOT NULL,
	"merged_id" uuid NOT NULL,
	"merged_name" text NOT NULL,
	"merged_record" jsonb NOT NULL,
	"survivor_before" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"moved_rows" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'merged' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"created_by_name" text,
	"undo_until" timestamp with time zone NOT NULL,
	"undone_at" timestamp with time zone,
	"undone_by" uuid
);
--> statement-breakpoint
ALTER TABLE "record_moves" ADD CONSTRAINT "record_moves_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_merges" ADD CONSTRAINT "crm_merges_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "record_moves_uq" ON "record_moves" USING btree ("tenant_id","batch_id","module","what");--> statement-breakpoint
CREATE INDEX "record_moves_batch_idx" ON "record_moves" USING btree ("tenant_id","batch_id");--> statement-breakpoint
CREATE INDEX "crm_merges_merged_idx" ON "crm_merges" USING btree ("tenant_id","merged_id");--> statement-breakpoint
CREATE INDEX "crm_merges_survivor_idx" ON "crm_merges" USING btree ("tenant_id","survivor_id");--> statement-breakpoint
CREATE INDEX "crm_merges_created_idx" ON "crm_merges" USING btree ("tenant_id","created_at","id");
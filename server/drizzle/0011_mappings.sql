CREATE TABLE "mapping_definitions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"target" text NOT NULL,
	"source_id" uuid,
	"draft" jsonb NOT NULL,
	"draft_updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"active_version" integer,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mapping_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"definition_id" uuid NOT NULL,
	"version" integer,
	"trigger" text NOT NULL,
	"status" text NOT NULL,
	"dry_run" boolean DEFAULT false NOT NULL,
	"source_id" uuid,
	"input_excerpt" text NOT NULL,
	"output" jsonb,
	"result" jsonb,
	"errors" jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mapping_source_samples" (
	"tenant_id" uuid NOT NULL,
	"source_id" uuid NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mapping_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"definition_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"target" text NOT NULL,
	"fields" jsonb NOT NULL,
	"trigger" jsonb,
	"sample" jsonb,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mapping_definitions" ADD CONSTRAINT "mapping_definitions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mapping_runs" ADD CONSTRAINT "mapping_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mapping_runs" ADD CONSTRAINT "mapping_runs_definition_id_mapping_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."mapping_definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mapping_source_samples" ADD CONSTRAINT "mapping_source_samples_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mapping_versions" ADD CONSTRAINT "mapping_versions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mapping_versions" ADD CONSTRAINT "mapping_versions_definition_id_mapping_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."mapping_definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mapping_definitions_tenant_idx" ON "mapping_definitions" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "mapping_definitions_source_uq" ON "mapping_definitions" USING btree ("tenant_id","source_id");--> statement-breakpoint
CREATE INDEX "mapping_runs_list_idx" ON "mapping_runs" USING btree ("tenant_id","definition_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "mapping_source_samples_uq" ON "mapping_source_samples" USING btree ("tenant_id","source_id");--> statement-breakpoint
CREATE UNIQUE INDEX "mapping_versions_uq" ON "mapping_versions" USING btree ("definition_id","version");
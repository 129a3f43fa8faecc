CREATE TABLE "signal_sources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"kind" text DEFAULT 'api' NOT NULL,
	"description" text,
	"webhook_secret" text,
	"active" boolean DEFAULT true NOT NULL,
	"override_score" real,
	"override_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signal_types" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"name_en" text,
	"description" text,
	"payload_fields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"type" text NOT NULL,
	"source" text NOT NULL,
	"source_event_id" text,
	"idempotency_key" text,
	"dedupe_key" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"subject" jsonb NOT NULL,
	"payload" jsonb NOT NULL,
	"strength" real,
	"provenance" jsonb NOT NULL,
	"account_id" uuid,
	"contact_id" uuid,
	"opportunity_id" uuid,
	"matched" boolean DEFAULT false NOT NULL,
	"match_method" text,
	"linked_by" uuid,
	"linked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "intervention_rule_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"rule_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"created_by" uuid,
	"created_by_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "intervention_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"current_version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "intervention_sign_offs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"intervention_id" uuid NOT NULL,
	"decision" text NOT NULL,
	"basis" text NOT NULL,
	"signed_by" uuid,
	"signed_by_name" text,
	"signed_by_role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "interventions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"opportunity_id" uuid,
	"rule_id" uuid NOT NULL,
	"rule_key" text NOT NULL,
	"rule_version" integer NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"severity" text NOT NULL,
	"title" text NOT NULL,
	"risk" jsonb NOT NULL,
	"talk_track" text NOT NULL,
	"resources" jsonb NOT NULL,
	"owner_id" uuid,
	"due_at" timestamp with time zone NOT NULL,
	"evidence" jsonb NOT NULL,
	"signal_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"occurrences" integer DEFAULT 1 NOT NULL,
	"delivery" text DEFAULT 'realtime' NOT NULL,
	"delivery_reason" text,
	"first_fired_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_fired_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acted_at" timestamp with time zone,
	"acted_by" uuid,
	"dismiss_reason" text,
	"sign_off_status" text DEFAULT 'not_required' NOT NULL,
	"outcome" text,
	"outcome_note" text,
	"outcome_at" timestamp with time zone,
	"fire_latency_ms" real,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "signal_sources" ADD CONSTRAINT "signal_sources_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signal_types" ADD CONSTRAINT "signal_types_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signals" ADD CONSTRAINT "signals_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intervention_rule_versions" ADD CONSTRAINT "intervention_rule_versions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intervention_rule_versions" ADD CONSTRAINT "intervention_rule_versions_rule_id_intervention_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."intervention_rules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intervention_rules" ADD CONSTRAINT "intervention_rules_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intervention_sign_offs" ADD CONSTRAINT "intervention_sign_offs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intervention_sign_offs" ADD CONSTRAINT "intervention_sign_offs_intervention_id_interventions_id_fk" FOREIGN KEY ("intervention_id") REFERENCES "public"."interventions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interventions" ADD CONSTRAINT "interventions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "signal_sources_key_uq" ON "signal_sources" USING btree ("tenant_id","key");--> statement-breakpoint
CREATE UNIQUE INDEX "signal_types_key_uq" ON "signal_types" USING btree ("tenant_id","key");--> statement-breakpoint
CREATE UNIQUE INDEX "signals_dedupe_uq" ON "signals" USING btree ("tenant_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "signals_tenant_received_idx" ON "signals" USING btree ("tenant_id","received_at","id");--> statement-breakpoint
CREATE INDEX "signals_account_time_idx" ON "signals" USING btree ("tenant_id","account_id","occurred_at");--> statement-breakpoint
CREATE INDEX "signals_contact_idx" ON "signals" USING btree ("tenant_id","contact_id","occurred_at");--> statement-breakpoint
CREATE INDEX "signals_opp_idx" ON "signals" USING btree ("tenant_id","opportunity_id","occurred_at");--> statement-breakpoint
CREATE INDEX "signals_unmatched_idx" ON "signals" USING btree ("tenant_id","received_at") WHERE matched = false;--> statement-breakpoint
CREATE INDEX "signals_source_time_idx" ON "signals" USING btree ("tenant_id","source","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "intervention_rule_versions_uq" ON "intervention_rule_versions" USING btree ("tenant_id","rule_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "intervention_rules_key_uq" ON "intervention_rules" USING btree ("tenant_id","key");--> statement-breakpoint
CREATE INDEX "intervention_sign_offs_idx" ON "intervention_sign_offs" USING btree ("tenant_id","intervention_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "interventions_one_open_uq" ON "interventions" USING btree ("tenant_id","account_id","rule_key") WHERE status = 'open';--> statement-breakpoint
CREATE INDEX "interventions_owner_idx" ON "interventions" USING btree ("tenant_id","owner_id","created_at");--> statement-breakpoint
CREATE INDEX "interventions_tenant_created_idx" ON "interventions" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "interventions_account_idx" ON "interventions" USING btree ("tenant_id","account_id","created_at");
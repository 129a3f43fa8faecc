CREATE TABLE "privacy_calendar_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"default_regime" text DEFAULT 'pipl' NOT NULL,
	"pipl_working_days" integer DEFAULT 15 NOT NULL,
	"time_zone" text DEFAULT 'Asia/Shanghai' NOT NULL,
	"work_start" text DEFAULT '09:00' NOT NULL,
	"work_end" text DEFAULT '18:00' NOT NULL,
	"lunch_start" text,
	"lunch_end" text,
	"extra_holidays" text[] DEFAULT '{}'::text[] NOT NULL,
	"extra_working_days" text[] DEFAULT '{}'::text[] NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "privacy_case_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"from_state" text,
	"to_state" text,
	"message" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" uuid,
	"actor_name" text,
	"source" text NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "privacy_cases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"channel" text NOT NULL,
	"regime" text NOT NULL,
	"state" text NOT NULL,
	"contact_id" uuid NOT NULL,
	"details" text,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"identity_verified" boolean DEFAULT false NOT NULL,
	"assignee_id" uuid,
	"due_working_days" integer,
	"extension_months" integer DEFAULT 0 NOT NULL,
	"extension_reason" text,
	"resolution" text,
	"proof_report_id" text,
	"closed_at" timestamp (3) with time zone,
	"warnings_sent" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "portal_logins" ADD COLUMN "candidates" jsonb;--> statement-breakpoint
ALTER TABLE "privacy_calendar_settings" ADD CONSTRAINT "privacy_calendar_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_case_events" ADD CONSTRAINT "privacy_case_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_case_events" ADD CONSTRAINT "privacy_case_events_case_id_privacy_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."privacy_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_cases" ADD CONSTRAINT "privacy_cases_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "privacy_case_events_case_idx" ON "privacy_case_events" USING btree ("tenant_id","case_id","at");--> statement-breakpoint
CREATE INDEX "privacy_cases_tenant_state_idx" ON "privacy_cases" USING btree ("tenant_id","state");--> statement-breakpoint
CREATE INDEX "privacy_cases_contact_idx" ON "privacy_cases" USING btree ("tenant_id","contact_id");--> statement-breakpoint
CREATE INDEX "privacy_cases_assignee_idx" ON "privacy_cases" USING btree ("tenant_id","assignee_id");
CREATE TABLE "forecast_snapshots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"period" text NOT NULL,
	"period_kind" text NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"group_by" text NOT NULL,
	"group_key" text NOT NULL,
	"group_label" text,
	"expected" real NOT NULL,
	"p10" real NOT NULL,
	"p90" real NOT NULL,
	"commit" real NOT NULL,
	"quota" real,
	"model_version" integer,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "opportunity_predictions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"opportunity_id" uuid NOT NULL,
	"model_id" uuid,
	"model_version" integer,
	"probability" real NOT NULL,
	"method" text NOT NULL,
	"top_factors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"computed_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "prediction_models" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"trained_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"trigger" text DEFAULT 'manual' NOT NULL,
	"train_rows" integer DEFAULT 0 NOT NULL,
	"test_rows" integer DEFAULT 0 NOT NULL,
	"metrics" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"features" text[] DEFAULT '{}'::text[] NOT NULL,
	"model" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"note" text
);
--> statement-breakpoint
ALTER TABLE "forecast_snapshots" ADD CONSTRAINT "forecast_snapshots_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opportunity_predictions" ADD CONSTRAINT "opportunity_predictions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opportunity_predictions" ADD CONSTRAINT "opportunity_predictions_model_id_prediction_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."prediction_models"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prediction_models" ADD CONSTRAINT "prediction_models_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "forecast_snapshots_period_idx" ON "forecast_snapshots" USING btree ("tenant_id","period","group_by","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "opportunity_predictions_opp_uq" ON "opportunity_predictions" USING btree ("tenant_id","opportunity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "prediction_models_version_uq" ON "prediction_models" USING btree ("tenant_id","kind","version");--> statement-breakpoint
CREATE INDEX "prediction_models_kind_idx" ON "prediction_models" USING btree ("tenant_id","kind","trained_at");
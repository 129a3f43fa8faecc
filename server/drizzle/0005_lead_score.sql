CREATE TABLE "contact_scores" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"model_id" uuid,
	"model_version" integer,
	"score" real NOT NULL,
	"method" text NOT NULL,
	"top_factors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"computed_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "contact_scores" ADD CONSTRAINT "contact_scores_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_scores" ADD CONSTRAINT "contact_scores_model_id_prediction_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."prediction_models"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "contact_scores_contact_uq" ON "contact_scores" USING btree ("tenant_id","contact_id");
CREATE TABLE "record_shares" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"entity" text NOT NULL,
	"record_id" uuid NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"access" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "record_shares_subject_type_ck" CHECK ("record_shares"."subject_type" in ('user', 'team')),
	CONSTRAINT "record_shares_access_ck" CHECK ("record_shares"."access" in ('read', 'edit'))
);
--> statement-breakpoint
CREATE TABLE "sharing_defaults" (
	"tenant_id" uuid NOT NULL,
	"entity" text NOT NULL,
	"access" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "sharing_defaults_tenant_id_entity_pk" PRIMARY KEY("tenant_id","entity"),
	CONSTRAINT "sharing_defaults_access_ck" CHECK ("sharing_defaults"."access" in ('public_read_write', 'public_read', 'private'))
);
--> statement-breakpoint
ALTER TABLE "record_shares" ADD CONSTRAINT "record_shares_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_shares" ADD CONSTRAINT "record_shares_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sharing_defaults" ADD CONSTRAINT "sharing_defaults_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sharing_defaults" ADD CONSTRAINT "sharing_defaults_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "record_shares_subject_uq" ON "record_shares" USING btree ("tenant_id","entity","record_id","subject_type","subject_id");--> statement-breakpoint
CREATE INDEX "record_shares_by_subject_idx" ON "record_shares" USING btree ("tenant_id","entity","subject_type","subject_id","record_id");
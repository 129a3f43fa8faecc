-- Same-tenant references (trust issue, item 7). A foreign key on the id alone is satisfied by a row
-- of ANOTHER tenant (foreign-key checks do not see row-level security), so every reference between
-- tenant tables also gets a composite key (tenant_id, column) → (tenant_id, id).
-- Existing single-column keys keep their ON DELETE action (cascade / set null); the composite key
-- beside them is NO ACTION, which PostgreSQL checks after those actions ran, so deletes behave as
-- before. References that had no key at all (region parent, a user's team, region and manager) get
-- a composite key that sets only that column to null when the target is deleted.
-- Dangling or cross-tenant values in nullable columns are cleared first (they pointed nowhere the
-- tenant could see).
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "accounts_tenant_id_id_uq" ON "accounts" ("tenant_id","id");
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "intervention_rules_tenant_id_id_uq" ON "intervention_rules" ("tenant_id","id");
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "interventions_tenant_id_id_uq" ON "interventions" ("tenant_id","id");
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "opportunities_tenant_id_id_uq" ON "opportunities" ("tenant_id","id");
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "pipelines_tenant_id_id_uq" ON "pipelines" ("tenant_id","id");
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "prediction_models_tenant_id_id_uq" ON "prediction_models" ("tenant_id","id");
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "regions_tenant_id_id_uq" ON "regions" ("tenant_id","id");
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "teams_tenant_id_id_uq" ON "teams" ("tenant_id","id");
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "users_tenant_id_id_uq" ON "users" ("tenant_id","id");
--> statement-breakpoint
UPDATE "accounts" x SET "owner_id" = NULL WHERE x."owner_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "users" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."owner_id");
--> statement-breakpoint
UPDATE "accounts" x SET "region_id" = NULL WHERE x."region_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "regions" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."region_id");
--> statement-breakpoint
UPDATE "activities" x SET "opportunity_id" = NULL WHERE x."opportunity_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "opportunities" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."opportunity_id");
--> statement-breakpoint
UPDATE "activities" x SET "owner_id" = NULL WHERE x."owner_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "users" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."owner_id");
--> statement-breakpoint
UPDATE "contacts" x SET "owner_id" = NULL WHERE x."owner_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "users" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."owner_id");
--> statement-breakpoint
UPDATE "opportunities" x SET "owner_id" = NULL WHERE x."owner_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "users" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."owner_id");
--> statement-breakpoint
UPDATE "opportunities" x SET "region_id" = NULL WHERE x."region_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "regions" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."region_id");
--> statement-breakpoint
UPDATE "opportunities" x SET "team_id" = NULL WHERE x."team_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "teams" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."team_id");
--> statement-breakpoint
UPDATE "teams" x SET "leader_id" = NULL WHERE x."leader_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "users" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."leader_id");
--> statement-breakpoint
UPDATE "teams" x SET "region_id" = NULL WHERE x."region_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "regions" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."region_id");
--> statement-breakpoint
UPDATE "opportunity_predictions" x SET "model_id" = NULL WHERE x."model_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "prediction_models" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."model_id");
--> statement-breakpoint
UPDATE "contact_scores" x SET "model_id" = NULL WHERE x."model_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "prediction_models" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."model_id");
--> statement-breakpoint
UPDATE "regions" x SET "parent_id" = NULL WHERE x."parent_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "regions" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."parent_id");
--> statement-breakpoint
UPDATE "users" x SET "team_id" = NULL WHERE x."team_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "teams" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."team_id");
--> statement-breakpoint
UPDATE "users" x SET "region_id" = NULL WHERE x."region_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "regions" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."region_id");
--> statement-breakpoint
UPDATE "users" x SET "manager_id" = NULL WHERE x."manager_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "users" y WHERE y."tenant_id" = x."tenant_id" AND y."id" = x."manager_id");
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_same_tenant_fk" FOREIGN KEY ("tenant_id","user_id") REFERENCES "users"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_owner_id_same_tenant_fk" FOREIGN KEY ("tenant_id","owner_id") REFERENCES "users"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_region_id_same_tenant_fk" FOREIGN KEY ("tenant_id","region_id") REFERENCES "regions"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_account_id_same_tenant_fk" FOREIGN KEY ("tenant_id","account_id") REFERENCES "accounts"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_opportunity_id_same_tenant_fk" FOREIGN KEY ("tenant_id","opportunity_id") REFERENCES "opportunities"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_owner_id_same_tenant_fk" FOREIGN KEY ("tenant_id","owner_id") REFERENCES "users"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_account_id_same_tenant_fk" FOREIGN KEY ("tenant_id","account_id") REFERENCES "accounts"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_owner_id_same_tenant_fk" FOREIGN KEY ("tenant_id","owner_id") REFERENCES "users"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_account_id_same_tenant_fk" FOREIGN KEY ("tenant_id","account_id") REFERENCES "accounts"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_owner_id_same_tenant_fk" FOREIGN KEY ("tenant_id","owner_id") REFERENCES "users"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_pipeline_id_same_tenant_fk" FOREIGN KEY ("tenant_id","pipeline_id") REFERENCES "pipelines"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_region_id_same_tenant_fk" FOREIGN KEY ("tenant_id","region_id") REFERENCES "regions"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_team_id_same_tenant_fk" FOREIGN KEY ("tenant_id","team_id") REFERENCES "teams"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_leader_id_same_tenant_fk" FOREIGN KEY ("tenant_id","leader_id") REFERENCES "users"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_region_id_same_tenant_fk" FOREIGN KEY ("tenant_id","region_id") REFERENCES "regions"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "intervention_rule_versions" ADD CONSTRAINT "intervention_rule_versions_rule_id_same_tenant_fk" FOREIGN KEY ("tenant_id","rule_id") REFERENCES "intervention_rules"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "intervention_sign_offs" ADD CONSTRAINT "intervention_sign_offs_intervention_id_same_tenant_fk" FOREIGN KEY ("tenant_id","intervention_id") REFERENCES "interventions"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "opportunity_predictions" ADD CONSTRAINT "opportunity_predictions_model_id_same_tenant_fk" FOREIGN KEY ("tenant_id","model_id") REFERENCES "prediction_models"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "contact_scores" ADD CONSTRAINT "contact_scores_model_id_same_tenant_fk" FOREIGN KEY ("tenant_id","model_id") REFERENCES "prediction_models"("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "regions" ADD CONSTRAINT "regions_parent_id_same_tenant_fk" FOREIGN KEY ("tenant_id","parent_id") REFERENCES "regions"("tenant_id","id") ON DELETE SET NULL ("parent_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "regions_parent_id_idx" ON "regions" ("tenant_id","parent_id");
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_team_id_same_tenant_fk" FOREIGN KEY ("tenant_id","team_id") REFERENCES "teams"("tenant_id","id") ON DELETE SET NULL ("team_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "users_team_id_idx" ON "users" ("tenant_id","team_id");
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_region_id_same_tenant_fk" FOREIGN KEY ("tenant_id","region_id") REFERENCES "regions"("tenant_id","id") ON DELETE SET NULL ("region_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "users_region_id_idx" ON "users" ("tenant_id","region_id");
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_manager_id_same_tenant_fk" FOREIGN KEY ("tenant_id","manager_id") REFERENCES "users"("tenant_id","id") ON DELETE SET NULL ("manager_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "users_manager_id_idx" ON "users" ("tenant_id","manager_id");

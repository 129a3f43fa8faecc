ALTER TABLE "crm_merges" ADD COLUMN "survivor_after" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "crm_merges" ADD COLUMN "merged_shares" jsonb DEFAULT '[]'::jsonb NOT NULL;
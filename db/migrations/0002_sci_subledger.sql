CREATE TABLE "individual_account_credits" (
	"institution_clave" text NOT NULL,
	"period" text NOT NULL,
	"person_id" uuid NOT NULL,
	"administrator" text NOT NULL,
	"entry_id" uuid NOT NULL,
	"cuota" numeric(16, 2) NOT NULL,
	"aportacion" numeric(16, 2) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "individual_account_credits_pkey" PRIMARY KEY("person_id","institution_clave","period"),
	CONSTRAINT "individual_account_credits_amounts" CHECK ("individual_account_credits"."cuota" >= 0 and "individual_account_credits"."aportacion" >= 0 and ("individual_account_credits"."cuota" > 0 or "individual_account_credits"."aportacion" > 0))
);
--> statement-breakpoint
ALTER TABLE "ledger_accounts" DROP CONSTRAINT "ledger_accounts_individual";--> statement-breakpoint
DROP INDEX "ledger_accounts_person_idx";--> statement-breakpoint
DROP INDEX "ledger_postings_individual_credit";--> statement-breakpoint
DROP INDEX "ledger_postings_entry_account_idx";--> statement-breakpoint
DROP INDEX "ledger_postings_entry_pooled_idx";--> statement-breakpoint
-- Data: the per-person individual postings become the subsidiary ledger, and each entry's journal
-- gets one credit per administrator and concept to that administrator's control account (same
-- totals, so every entry stays balanced). A person credited for one period in two entries or at two
-- administrators would break the new primary key and abort this migration instead of merging.
INSERT INTO "individual_account_credits" ("institution_clave", "period", "person_id", "administrator", "entry_id", "cuota", "aportacion", "created_at")
SELECT p."institution_clave", p."period", p."person_id", a."administrator", p."entry_id",
       coalesce(sum(p."credit") FILTER (WHERE p."concept" = 'sci-cuota'), 0),
       coalesce(sum(p."credit") FILTER (WHERE p."concept" = 'sci-aportacion'), 0),
       min(p."created_at")
  FROM "ledger_postings" p JOIN "ledger_accounts" a ON a."id" = p."account_id"
 WHERE p."person_id" IS NOT NULL
 GROUP BY p."institution_clave", p."period", p."person_id", a."administrator", p."entry_id";--> statement-breakpoint
INSERT INTO "ledger_accounts" ("code", "kind", "name", "administrator")
SELECT DISTINCT 'sci:' || "administrator", 'individual', 'Cuentas individuales SCI en ' || "administrator" || ' (control del auxiliar por persona)', "administrator"
  FROM "individual_account_credits"
ON CONFLICT ("code") DO NOTHING;--> statement-breakpoint
INSERT INTO "ledger_postings" ("entry_id", "account_id", "debit", "credit", "concept", "institution_clave", "period", "created_at")
SELECT p."entry_id", ctl."id", 0, sum(p."credit"), p."concept", p."institution_clave", p."period", min(p."created_at")
  FROM "ledger_postings" p
  JOIN "ledger_accounts" a ON a."id" = p."account_id"
  JOIN "ledger_accounts" ctl ON ctl."code" = 'sci:' || a."administrator"
 WHERE p."person_id" IS NOT NULL
 GROUP BY p."entry_id", ctl."id", p."concept", p."institution_clave", p."period";--> statement-breakpoint
DELETE FROM "ledger_postings" WHERE "person_id" IS NOT NULL;--> statement-breakpoint
DELETE FROM "ledger_accounts" WHERE "person_id" IS NOT NULL;--> statement-breakpoint
UPDATE "journal_entries" e SET "posting_count" = c."n"
  FROM (SELECT "entry_id", count(*)::int AS "n" FROM "ledger_postings" GROUP BY "entry_id") c
 WHERE c."entry_id" = e."id";--> statement-breakpoint
CREATE INDEX "individual_account_credits_entry_idx" ON "individual_account_credits" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "ledger_postings_entry_idx" ON "ledger_postings" USING btree ("entry_id");--> statement-breakpoint
ALTER TABLE "ledger_accounts" DROP COLUMN "person_id";--> statement-breakpoint
ALTER TABLE "ledger_postings" DROP COLUMN "person_id";--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_individual" CHECK (("ledger_accounts"."kind" = 'individual') = ("ledger_accounts"."administrator" is not null));
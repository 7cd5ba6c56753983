CREATE TYPE "public"."role" AS ENUM('institution', 'operator', 'servant', 'applicant', 'reviewer', 'supervisor', 'recruiter', 'admin');--> statement-breakpoint
CREATE SEQUENCE "public"."service_certificate_folio_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE SEQUENCE "public"."clave_issemym_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9999999 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE SEQUENCE "public"."movement_folio_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"name" text NOT NULL,
	"institution_clave" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_user_id" uuid,
	"actor_api_key_id" uuid,
	"actor_role" text NOT NULL,
	"action" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"purpose" text NOT NULL,
	"request_id" text,
	"ip" text,
	"outcome" text DEFAULT 'allowed' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "login_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"username" text NOT NULL,
	"ip" text,
	"success" boolean NOT NULL,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"username" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" "role" NOT NULL,
	"institution_clave" text,
	"person_id" uuid,
	"display_name" text,
	"disabled" boolean DEFAULT false NOT NULL,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_username_unique" UNIQUE("username")
);
--> statement-breakpoint
CREATE TABLE "accessory_rates" (
	"fiscal_year" numeric(4, 0) PRIMARY KEY NOT NULL,
	"actualizacion" numeric(12, 8) NOT NULL,
	"recargos" numeric(12, 8) NOT NULL,
	"legal_source" text NOT NULL,
	"verified" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "calendar_days" (
	"calendar_id" text NOT NULL,
	"date" date NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"source" text NOT NULL,
	"is_override" boolean DEFAULT false NOT NULL,
	CONSTRAINT "calendar_days_calendar_id_date_pk" PRIMARY KEY("calendar_id","date")
);
--> statement-breakpoint
CREATE TABLE "contribution_rates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"concept" text NOT NULL,
	"party" text NOT NULL,
	"rate" numeric(12, 8) NOT NULL,
	"effective_from" date NOT NULL,
	"effective_to" date,
	"legal_source" text NOT NULL,
	"verified" boolean NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "institutions" (
	"clave" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"rfc" text NOT NULL,
	"kind" text NOT NULL,
	"fiscal_postal_code" text DEFAULT '50000' NOT NULL,
	"fiscal_regime" text DEFAULT '603' NOT NULL,
	"contact_curp" text NOT NULL,
	"contact_name" text NOT NULL,
	"contact_email" text NOT NULL,
	"contact_renapo_status" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"rejection_reason" text,
	"registration_workflow_id" text,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "administrator_assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"administrator_code" text DEFAULT 'ISSEMYM' NOT NULL,
	"effective_from" date NOT NULL,
	"effective_to" date,
	"source_document" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "curp_history" (
	"curp" text PRIMARY KEY NOT NULL,
	"person_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"replaced_at" timestamp with time zone,
	"renapo_check_id" uuid,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "employments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"institution_clave" text NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date,
	"puesto" text,
	"opened_by" text NOT NULL,
	"opened_by_ref" text NOT NULL,
	"closed_by_ref" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "movement_applications" (
	"key" text PRIMARY KEY NOT NULL,
	"institution_clave" text NOT NULL,
	"movimiento" text NOT NULL,
	"fecha_movimiento" date,
	"status" text NOT NULL,
	"person_id" uuid,
	"employment_id" uuid,
	"clave_issemym" text,
	"person_created" boolean DEFAULT false NOT NULL,
	"findings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "movement_notices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_clave" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"payload_hash" text NOT NULL,
	"movimiento" text NOT NULL,
	"curp" text NOT NULL,
	"rfc" text NOT NULL,
	"primer_apellido" text NOT NULL,
	"segundo_apellido" text,
	"nombres" text NOT NULL,
	"fecha_movimiento" text,
	"sueldo_cotizable" text,
	"puesto" text,
	"status" text DEFAULT 'received' NOT NULL,
	"stage" text DEFAULT 'received' NOT NULL,
	"findings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"effective_curp" text,
	"renapo_check_id" uuid,
	"person_id" uuid,
	"employment_id" uuid,
	"clave_issemym" text,
	"folio" text,
	"aviso" jsonb,
	"verification_hash" text,
	"issued_at" timestamp with time zone,
	"workflow_id" text NOT NULL,
	"submitted_by_role" text NOT NULL,
	"submitted_by_id" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "movement_notices_folio_unique" UNIQUE("folio")
);
--> statement-breakpoint
CREATE TABLE "people" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"curp" text NOT NULL,
	"clave_issemym" text NOT NULL,
	"clave_legacy" boolean DEFAULT false NOT NULL,
	"first_surname" text NOT NULL,
	"second_surname" text,
	"given_names" text NOT NULL,
	"sex" text,
	"birth_date" date,
	"birth_state" text,
	"rfc" text,
	"nss_imss" text,
	"issste_number" text,
	"renapo_status" text,
	"renapo_checked_at" timestamp with time zone,
	"rights_suspended_from" date,
	"rights_suspended_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "people_curp_unique" UNIQUE("curp"),
	CONSTRAINT "people_clave_issemym_unique" UNIQUE("clave_issemym")
);
--> statement-breakpoint
CREATE TABLE "renapo_checks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"curp" text NOT NULL,
	"found" boolean NOT NULL,
	"status" text,
	"new_curp" text,
	"record" jsonb,
	"raw" jsonb NOT NULL,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "salary_history" (
	"employment_id" uuid NOT NULL,
	"period" text NOT NULL,
	"sueldo_cotizable" numeric(16, 2) NOT NULL,
	"dias_cotizados" integer,
	"effective_date" date,
	"source" text NOT NULL,
	"source_ref" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "salary_history_employment_id_period_pk" PRIMARY KEY("employment_id","period")
);
--> statement-breakpoint
CREATE TABLE "service_certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"folio" text NOT NULL,
	"as_of" date NOT NULL,
	"content" jsonb NOT NULL,
	"verification_hash" text NOT NULL,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_certificates_folio_unique" UNIQUE("folio")
);
--> statement-breakpoint
CREATE TABLE "determinaciones" (
	"file_id" uuid PRIMARY KEY NOT NULL,
	"submission_id" uuid NOT NULL,
	"period" text NOT NULL,
	"rates_applied" jsonb NOT NULL,
	"uses_unverified_rates" boolean NOT NULL,
	"totals" jsonb NOT NULL,
	"total_cuotas" numeric(16, 2) NOT NULL,
	"total_aportaciones" numeric(16, 2) NOT NULL,
	"total_retenciones" numeric(16, 2) NOT NULL,
	"total_due" numeric(16, 2) NOT NULL,
	"rows_computed" integer NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payroll_files" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"submission_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"kind" text DEFAULT 'full' NOT NULL,
	"storage_key" text NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"original_name" text NOT NULL,
	"uploaded_by" text NOT NULL,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'received' NOT NULL,
	"format" text,
	"encoding" text,
	"staged_rows" integer DEFAULT 0 NOT NULL,
	"staging_done" boolean DEFAULT false NOT NULL,
	"file_rejected" boolean DEFAULT false NOT NULL,
	"row_count" integer,
	"valid_rows" integer,
	"rejected_rows" integer,
	"warning_rows" integer,
	"validated_at" timestamp with time zone,
	"computed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "payroll_findings" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "payroll_findings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"file_id" uuid NOT NULL,
	"row_number" integer,
	"column" text,
	"code" text NOT NULL,
	"severity" text NOT NULL,
	"value" text,
	"message" text NOT NULL,
	"pass" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payroll_rows" (
	"file_id" uuid NOT NULL,
	"row_number" integer NOT NULL,
	"curp" text,
	"clave_issemym" text,
	"rfc" text,
	"primer_apellido" text,
	"segundo_apellido" text,
	"nombres" text,
	"movimiento" text,
	"fecha_movimiento" date,
	"sueldo_cotizable" numeric(16, 2),
	"dias_cotizados" integer,
	"puesto" text,
	"ret_prestamo_corto" numeric(16, 2),
	"ret_prestamo_hipotecario" numeric(16, 2),
	"ret_otros" numeric(16, 2),
	"afore" text,
	"rejected" boolean DEFAULT false NOT NULL,
	"has_warnings" boolean DEFAULT false NOT NULL,
	"cuota_salud" numeric(16, 2),
	"cuota_reparto" numeric(16, 2),
	"cuota_sci" numeric(16, 2),
	"aport_salud" numeric(16, 2),
	"aport_reparto" numeric(16, 2),
	"aport_sci" numeric(16, 2),
	"aport_admin" numeric(16, 2),
	"aport_riesgo" numeric(16, 2),
	"person_id" uuid,
	CONSTRAINT "payroll_rows_file_id_row_number_pk" PRIMARY KEY("file_id","row_number")
);
--> statement-breakpoint
CREATE TABLE "payroll_submissions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_clave" text NOT NULL,
	"period" text NOT NULL,
	"workflow_id" text NOT NULL,
	"stage" text DEFAULT 'uploaded' NOT NULL,
	"accepted_file_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "submission_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "submission_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"submission_id" uuid NOT NULL,
	"event_key" text NOT NULL,
	"stage" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dedupe_key" text NOT NULL,
	"recipient_type" text NOT NULL,
	"recipient_id" text NOT NULL,
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"data" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "shm_applicants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"curp" text NOT NULL,
	"email" text NOT NULL,
	"given_names" text,
	"first_surname" text,
	"second_surname" text,
	"sex" text,
	"birth_date" date,
	"renapo_status" text,
	"status" text DEFAULT 'verifying' NOT NULL,
	"rejection_reason" text,
	"talent_bank_opt_in" boolean DEFAULT false NOT NULL,
	"blocked_at" timestamp with time zone,
	"verification_workflow_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shm_applicants_user_id_unique" UNIQUE("user_id"),
	CONSTRAINT "shm_applicants_curp_unique" UNIQUE("curp")
);
--> statement-breakpoint
CREATE TABLE "shm_applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"vacancy_id" uuid NOT NULL,
	"applicant_id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"status" text DEFAULT 'submitted' NOT NULL,
	"area_match" boolean DEFAULT false NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shm_arco_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"applicant_id" uuid NOT NULL,
	"type" text NOT NULL,
	"description" text NOT NULL,
	"status" text DEFAULT 'received' NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"clock" jsonb,
	"due_on" date,
	"due_at" timestamp with time zone,
	"overdue_at" timestamp with time zone,
	"resolution" text,
	"response" text,
	"resolved_by" uuid,
	"resolved_at" timestamp with time zone,
	"executed_at" timestamp with time zone,
	"workflow_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shm_certification_events" (
	"key" text PRIMARY KEY NOT NULL,
	"profile_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shm_consents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"applicant_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"notice_version" text,
	"granted" boolean NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"ip" text,
	"request_id" text
);
--> statement-breakpoint
CREATE TABLE "shm_documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"profile_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"storage_key" text NOT NULL,
	"sha256" text NOT NULL,
	"mime" text NOT NULL,
	"size" integer NOT NULL,
	"original_name" text NOT NULL,
	"uploaded_by" uuid,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"replaced_by" uuid,
	"replaced_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "shm_notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recipient_user_id" uuid,
	"recipient_role" text,
	"channel" text DEFAULT 'inbox' NOT NULL,
	"kind" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"message" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"read_at" timestamp with time zone,
	CONSTRAINT "shm_notifications_dedupe_key_unique" UNIQUE("dedupe_key")
);
--> statement-breakpoint
CREATE TABLE "shm_password_resets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shm_password_resets_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "shm_privacy_notices" (
	"version" text PRIMARY KEY NOT NULL,
	"simplified_text" text NOT NULL,
	"integral_text" text NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	"is_current" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shm_profile_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"profile_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"data" jsonb NOT NULL,
	"data_hash" text NOT NULL,
	"sort" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "shm_profiles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"applicant_id" uuid NOT NULL,
	"personal" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"position" jsonb,
	"municipality" text,
	"area" text,
	"current_version" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shm_profiles_applicant_id_unique" UNIQUE("applicant_id")
);
--> statement-breakpoint
CREATE TABLE "shm_registration_items" (
	"registration_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"data" jsonb NOT NULL,
	"data_hash" text NOT NULL,
	"document_ids" jsonb NOT NULL,
	CONSTRAINT "shm_registration_items_registration_id_item_id_pk" PRIMARY KEY("registration_id","item_id")
);
--> statement-breakpoint
CREATE TABLE "shm_registrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"profile_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"status" text DEFAULT 'submitted' NOT NULL,
	"stage" text DEFAULT 'submitted' NOT NULL,
	"snapshot" jsonb NOT NULL,
	"municipality" text,
	"workflow_id" text NOT NULL,
	"check_findings" jsonb,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"appeal_reason" text,
	"appealed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "shm_review_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid,
	"registration_id" uuid NOT NULL,
	"actor_user_id" uuid,
	"action" text NOT NULL,
	"detail" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shm_review_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"registration_id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"document_id" uuid NOT NULL,
	"item_kind" text NOT NULL,
	"round" text DEFAULT 'review' NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"municipality" text,
	"claimed_by" uuid,
	"claimed_at" timestamp with time zone,
	"escalated_at" timestamp with time zone,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"reason" text,
	"carried_over" boolean DEFAULT false NOT NULL,
	"excluded_reviewer" uuid,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shm_scores" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"profile_id" uuid NOT NULL,
	"registration_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"as_of" date NOT NULL,
	"total" numeric(5, 2) NOT NULL,
	"stars" integer NOT NULL,
	"breakdown" jsonb NOT NULL,
	"rubric_version" text NOT NULL,
	"input" jsonb NOT NULL,
	"dedupe_key" text NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shm_scores_dedupe_key_unique" UNIQUE("dedupe_key")
);
--> statement-breakpoint
CREATE TABLE "shm_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "shm_sla_clocks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"registration_id" uuid NOT NULL,
	"round" text NOT NULL,
	"targets" jsonb NOT NULL,
	"clock" jsonb NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"running_since" timestamp with time zone,
	"consumed_business_days" integer DEFAULT 0 NOT NULL,
	"paused_at" timestamp with time zone,
	"paused_total_ms" numeric(20, 0) DEFAULT '0' NOT NULL,
	"escalate_on" date,
	"breach_on" date,
	"due_at" timestamp with time zone,
	"breach_at" timestamp with time zone,
	"escalated_at" timestamp with time zone,
	"breached_at" timestamp with time zone,
	"stopped_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "shm_vacancies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recruiter_user_id" uuid NOT NULL,
	"municipality" text NOT NULL,
	"title" text NOT NULL,
	"area" text,
	"description" text NOT NULL,
	"min_stars" integer DEFAULT 1 NOT NULL,
	"certification" text,
	"status" text DEFAULT 'open' NOT NULL,
	"closes_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bank_deposits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"bank" text NOT NULL,
	"tracking_key" text NOT NULL,
	"account" text,
	"operation_date" date NOT NULL,
	"value_date" date NOT NULL,
	"amount" numeric(16, 2) NOT NULL,
	"reference" text NOT NULL,
	"payer_name" text,
	"payer_account" text,
	"source" text NOT NULL,
	"raw" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'received' NOT NULL,
	"linea_id" uuid,
	"submission_id" uuid,
	"applied_amount" numeric(16, 2),
	"excess_amount" numeric(16, 2),
	"recargos_paid" numeric(16, 2),
	"actualizacion_paid" numeric(16, 2),
	"principal_paid" numeric(16, 2),
	"match_result" text,
	"applied_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "bank_notification_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"ip" text,
	"outcome" text NOT NULL,
	"detail" text,
	"body_sha256" text
);
--> statement-breakpoint
CREATE TABLE "cfdis" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"submission_id" uuid NOT NULL,
	"uuid" text NOT NULL,
	"serie" text NOT NULL,
	"folio" text NOT NULL,
	"total" numeric(16, 2) NOT NULL,
	"storage_key" text NOT NULL,
	"stamped_at" timestamp with time zone NOT NULL,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cfdis_submission_id_unique" UNIQUE("submission_id"),
	CONSTRAINT "cfdis_uuid_unique" UNIQUE("uuid")
);
--> statement-breakpoint
CREATE TABLE "creditos_fiscales" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"submission_id" uuid NOT NULL,
	"institution_clave" text NOT NULL,
	"period" text NOT NULL,
	"balance_due" numeric(16, 2) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	CONSTRAINT "creditos_fiscales_submission_id_unique" UNIQUE("submission_id")
);
--> statement-breakpoint
CREATE TABLE "lineas_captura" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"linea" text NOT NULL,
	"submission_id" uuid NOT NULL,
	"institution_clave" text NOT NULL,
	"period" text NOT NULL,
	"sequence" integer NOT NULL,
	"amount" numeric(16, 2) NOT NULL,
	"principal" numeric(16, 2) NOT NULL,
	"actualizacion" numeric(16, 2) DEFAULT '0' NOT NULL,
	"recargos" numeric(16, 2) DEFAULT '0' NOT NULL,
	"late_months" integer DEFAULT 0 NOT NULL,
	"due_date" date NOT NULL,
	"valid_until" date NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"issue_key" text NOT NULL,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lineas_captura_linea_unique" UNIQUE("linea")
);
--> statement-breakpoint
CREATE TABLE "payment_review_queue" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"deposit_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"detail" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"resolution" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dispersion_batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"entry_id" uuid NOT NULL,
	"submission_id" uuid NOT NULL,
	"institution_clave" text NOT NULL,
	"period" text NOT NULL,
	"administrator" text NOT NULL,
	"person_count" integer NOT NULL,
	"record_count" integer NOT NULL,
	"total_cuota" numeric(16, 2) NOT NULL,
	"total_aportacion" numeric(16, 2) NOT NULL,
	"total" numeric(16, 2) NOT NULL,
	"status" text NOT NULL,
	"file_format" text,
	"storage_key" text,
	"file_sha256" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"file_stored_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "journal_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"entry_key" text NOT NULL,
	"kind" text NOT NULL,
	"submission_id" uuid NOT NULL,
	"institution_clave" text NOT NULL,
	"period" text NOT NULL,
	"payment_date" date NOT NULL,
	"total_debit" numeric(16, 2) DEFAULT '0' NOT NULL,
	"total_credit" numeric(16, 2) DEFAULT '0' NOT NULL,
	"posting_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "journal_entries_entry_key_unique" UNIQUE("entry_key")
);
--> statement-breakpoint
CREATE TABLE "journal_entry_sources" (
	"source_kind" text NOT NULL,
	"source_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	CONSTRAINT "journal_entry_sources_source_kind_source_id_pk" PRIMARY KEY("source_kind","source_id")
);
--> statement-breakpoint
CREATE TABLE "ledger_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"person_id" uuid,
	"administrator" text,
	"institution_clave" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_accounts_code_unique" UNIQUE("code"),
	CONSTRAINT "ledger_accounts_kind" CHECK ("ledger_accounts"."kind" in ('bank-clearing', 'fund', 'individual', 'loans-portfolio', 'accessories-income', 'institution-credit', 'suspense')),
	CONSTRAINT "ledger_accounts_individual" CHECK (("ledger_accounts"."kind" = 'individual') = ("ledger_accounts"."person_id" is not null and "ledger_accounts"."administrator" is not null)),
	CONSTRAINT "ledger_accounts_institution" CHECK (("ledger_accounts"."kind" = 'institution-credit') = ("ledger_accounts"."institution_clave" is not null))
);
--> statement-breakpoint
CREATE TABLE "ledger_postings" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_postings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"entry_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"debit" numeric(16, 2) DEFAULT '0' NOT NULL,
	"credit" numeric(16, 2) DEFAULT '0' NOT NULL,
	"concept" text NOT NULL,
	"person_id" uuid,
	"institution_clave" text NOT NULL,
	"period" text NOT NULL,
	"deposit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_postings_one_side" CHECK ("ledger_postings"."debit" >= 0 and "ledger_postings"."credit" >= 0 and (("ledger_postings"."debit" > 0) <> ("ledger_postings"."credit" > 0)))
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "administrator_assignments" ADD CONSTRAINT "administrator_assignments_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "curp_history" ADD CONSTRAINT "curp_history_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employments" ADD CONSTRAINT "employments_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employments" ADD CONSTRAINT "employments_institution_clave_institutions_clave_fk" FOREIGN KEY ("institution_clave") REFERENCES "public"."institutions"("clave") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "movement_notices" ADD CONSTRAINT "movement_notices_institution_clave_institutions_clave_fk" FOREIGN KEY ("institution_clave") REFERENCES "public"."institutions"("clave") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "salary_history" ADD CONSTRAINT "salary_history_employment_id_employments_id_fk" FOREIGN KEY ("employment_id") REFERENCES "public"."employments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_certificates" ADD CONSTRAINT "service_certificates_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payroll_files" ADD CONSTRAINT "payroll_files_submission_id_payroll_submissions_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."payroll_submissions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_applicants" ADD CONSTRAINT "shm_applicants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_applications" ADD CONSTRAINT "shm_applications_vacancy_id_shm_vacancies_id_fk" FOREIGN KEY ("vacancy_id") REFERENCES "public"."shm_vacancies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_applications" ADD CONSTRAINT "shm_applications_applicant_id_shm_applicants_id_fk" FOREIGN KEY ("applicant_id") REFERENCES "public"."shm_applicants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_arco_requests" ADD CONSTRAINT "shm_arco_requests_applicant_id_shm_applicants_id_fk" FOREIGN KEY ("applicant_id") REFERENCES "public"."shm_applicants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_consents" ADD CONSTRAINT "shm_consents_applicant_id_shm_applicants_id_fk" FOREIGN KEY ("applicant_id") REFERENCES "public"."shm_applicants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_documents" ADD CONSTRAINT "shm_documents_profile_id_shm_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."shm_profiles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_documents" ADD CONSTRAINT "shm_documents_item_id_shm_profile_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."shm_profile_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_password_resets" ADD CONSTRAINT "shm_password_resets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_profile_items" ADD CONSTRAINT "shm_profile_items_profile_id_shm_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."shm_profiles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_profiles" ADD CONSTRAINT "shm_profiles_applicant_id_shm_applicants_id_fk" FOREIGN KEY ("applicant_id") REFERENCES "public"."shm_applicants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_registration_items" ADD CONSTRAINT "shm_registration_items_registration_id_shm_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."shm_registrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_registration_items" ADD CONSTRAINT "shm_registration_items_item_id_shm_profile_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."shm_profile_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_registrations" ADD CONSTRAINT "shm_registrations_profile_id_shm_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."shm_profiles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_review_tasks" ADD CONSTRAINT "shm_review_tasks_registration_id_shm_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."shm_registrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_review_tasks" ADD CONSTRAINT "shm_review_tasks_document_id_shm_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."shm_documents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_review_tasks" ADD CONSTRAINT "shm_review_tasks_claimed_by_users_id_fk" FOREIGN KEY ("claimed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_review_tasks" ADD CONSTRAINT "shm_review_tasks_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_scores" ADD CONSTRAINT "shm_scores_registration_id_shm_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."shm_registrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_sla_clocks" ADD CONSTRAINT "shm_sla_clocks_registration_id_shm_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."shm_registrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shm_vacancies" ADD CONSTRAINT "shm_vacancies_recruiter_user_id_users_id_fk" FOREIGN KEY ("recruiter_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispersion_batches" ADD CONSTRAINT "dispersion_batches_entry_id_journal_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."journal_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_entry_sources" ADD CONSTRAINT "journal_entry_sources_entry_id_journal_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."journal_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_institution_idx" ON "api_keys" USING btree ("institution_clave");--> statement-breakpoint
CREATE INDEX "audit_log_subject_idx" ON "audit_log" USING btree ("subject_type","subject_id");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "login_attempts_username_at_idx" ON "login_attempts" USING btree ("username","at");--> statement-breakpoint
CREATE INDEX "users_institution_idx" ON "users" USING btree ("institution_clave");--> statement-breakpoint
CREATE UNIQUE INDEX "administrator_assignments_key" ON "administrator_assignments" USING btree ("person_id","effective_from");--> statement-breakpoint
CREATE INDEX "curp_history_person_idx" ON "curp_history" USING btree ("person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "employments_natural_key" ON "employments" USING btree ("person_id","institution_clave","start_date");--> statement-breakpoint
CREATE UNIQUE INDEX "employments_one_open" ON "employments" USING btree ("person_id","institution_clave") WHERE end_date is null;--> statement-breakpoint
CREATE INDEX "employments_institution_idx" ON "employments" USING btree ("institution_clave");--> statement-breakpoint
CREATE INDEX "movement_applications_person_idx" ON "movement_applications" USING btree ("person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "movement_notices_dedupe" ON "movement_notices" USING btree ("institution_clave","dedupe_key");--> statement-breakpoint
CREATE INDEX "movement_notices_person_idx" ON "movement_notices" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "people_rfc_idx" ON "people" USING btree ("rfc");--> statement-breakpoint
CREATE INDEX "renapo_checks_curp_at_idx" ON "renapo_checks" USING btree ("curp","checked_at");--> statement-breakpoint
CREATE UNIQUE INDEX "service_certificates_content" ON "service_certificates" USING btree ("person_id","verification_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "payroll_files_same_bytes" ON "payroll_files" USING btree ("submission_id","sha256");--> statement-breakpoint
CREATE UNIQUE INDEX "payroll_files_version" ON "payroll_files" USING btree ("submission_id","version");--> statement-breakpoint
CREATE INDEX "payroll_findings_file_idx" ON "payroll_findings" USING btree ("file_id","row_number");--> statement-breakpoint
CREATE INDEX "payroll_findings_code_idx" ON "payroll_findings" USING btree ("file_id","code");--> statement-breakpoint
CREATE INDEX "payroll_rows_curp_idx" ON "payroll_rows" USING btree ("file_id","curp");--> statement-breakpoint
CREATE UNIQUE INDEX "payroll_submissions_business_key" ON "payroll_submissions" USING btree ("institution_clave","period");--> statement-breakpoint
CREATE UNIQUE INDEX "submission_events_key" ON "submission_events" USING btree ("submission_id","event_key");--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_dedupe" ON "notifications" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "notifications_recipient" ON "notifications" USING btree ("recipient_type","recipient_id");--> statement-breakpoint
CREATE INDEX "shm_applicants_opt_in_idx" ON "shm_applicants" USING btree ("talent_bank_opt_in");--> statement-breakpoint
CREATE UNIQUE INDEX "shm_applications_vacancy_applicant_uq" ON "shm_applications" USING btree ("vacancy_id","applicant_id");--> statement-breakpoint
CREATE INDEX "shm_arco_requests_applicant_idx" ON "shm_arco_requests" USING btree ("applicant_id");--> statement-breakpoint
CREATE INDEX "shm_arco_requests_status_idx" ON "shm_arco_requests" USING btree ("status","due_on");--> statement-breakpoint
CREATE INDEX "shm_consents_applicant_idx" ON "shm_consents" USING btree ("applicant_id","kind","at");--> statement-breakpoint
CREATE INDEX "shm_documents_item_idx" ON "shm_documents" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "shm_documents_profile_idx" ON "shm_documents" USING btree ("profile_id");--> statement-breakpoint
CREATE INDEX "shm_notifications_user_idx" ON "shm_notifications" USING btree ("recipient_user_id","created_at");--> statement-breakpoint
CREATE INDEX "shm_notifications_role_idx" ON "shm_notifications" USING btree ("recipient_role","created_at");--> statement-breakpoint
CREATE INDEX "shm_profile_items_profile_idx" ON "shm_profile_items" USING btree ("profile_id");--> statement-breakpoint
CREATE INDEX "shm_profiles_municipality_idx" ON "shm_profiles" USING btree ("municipality");--> statement-breakpoint
CREATE UNIQUE INDEX "shm_registrations_profile_version_uq" ON "shm_registrations" USING btree ("profile_id","version");--> statement-breakpoint
CREATE INDEX "shm_registrations_status_idx" ON "shm_registrations" USING btree ("status");--> statement-breakpoint
CREATE INDEX "shm_review_events_registration_idx" ON "shm_review_events" USING btree ("registration_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "shm_review_tasks_doc_round_uq" ON "shm_review_tasks" USING btree ("registration_id","round","document_id");--> statement-breakpoint
CREATE INDEX "shm_review_tasks_queue_idx" ON "shm_review_tasks" USING btree ("status","claimed_by","created_at");--> statement-breakpoint
CREATE INDEX "shm_review_tasks_registration_idx" ON "shm_review_tasks" USING btree ("registration_id");--> statement-breakpoint
CREATE INDEX "shm_scores_profile_idx" ON "shm_scores" USING btree ("profile_id","computed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "shm_sla_clocks_registration_round_uq" ON "shm_sla_clocks" USING btree ("registration_id","round");--> statement-breakpoint
CREATE INDEX "shm_sla_clocks_breached_idx" ON "shm_sla_clocks" USING btree ("breached_at");--> statement-breakpoint
CREATE INDEX "shm_vacancies_status_idx" ON "shm_vacancies" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "bank_deposits_identity" ON "bank_deposits" USING btree ("bank","tracking_key");--> statement-breakpoint
CREATE INDEX "bank_deposits_reference" ON "bank_deposits" USING btree ("reference");--> statement-breakpoint
CREATE INDEX "bank_deposits_submission" ON "bank_deposits" USING btree ("submission_id");--> statement-breakpoint
CREATE INDEX "bank_deposits_linea" ON "bank_deposits" USING btree ("linea_id");--> statement-breakpoint
CREATE UNIQUE INDEX "lineas_sequence" ON "lineas_captura" USING btree ("institution_clave","period","sequence");--> statement-breakpoint
CREATE UNIQUE INDEX "lineas_issue_key" ON "lineas_captura" USING btree ("issue_key");--> statement-breakpoint
CREATE INDEX "lineas_submission" ON "lineas_captura" USING btree ("submission_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payment_review_deposit" ON "payment_review_queue" USING btree ("deposit_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dispersion_batches_key" ON "dispersion_batches" USING btree ("entry_id","administrator");--> statement-breakpoint
CREATE INDEX "dispersion_batches_submission_idx" ON "dispersion_batches" USING btree ("submission_id");--> statement-breakpoint
CREATE INDEX "journal_entries_submission_idx" ON "journal_entries" USING btree ("submission_id");--> statement-breakpoint
CREATE INDEX "journal_entries_period_idx" ON "journal_entries" USING btree ("institution_clave","period");--> statement-breakpoint
CREATE INDEX "journal_entry_sources_entry_idx" ON "journal_entry_sources" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "ledger_accounts_person_idx" ON "ledger_accounts" USING btree ("person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_postings_individual_credit" ON "ledger_postings" USING btree ("person_id","institution_clave","period","concept") WHERE person_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_postings_deposit" ON "ledger_postings" USING btree ("deposit_id") WHERE deposit_id is not null;--> statement-breakpoint
CREATE INDEX "ledger_postings_entry_account_idx" ON "ledger_postings" USING btree ("entry_id","account_id");--> statement-breakpoint
CREATE INDEX "ledger_postings_entry_pooled_idx" ON "ledger_postings" USING btree ("entry_id") WHERE person_id is null;--> statement-breakpoint
CREATE INDEX "ledger_postings_account_idx" ON "ledger_postings" USING btree ("account_id");
-- An environment's repository credential (token or deploy key), sealed with PATCHBAY_SECRETS_KEY.
ALTER TABLE "Environment" ADD COLUMN "repoCredential" JSONB;

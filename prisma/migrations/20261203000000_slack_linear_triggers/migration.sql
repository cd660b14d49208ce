-- Slack and Linear triggers: an environment's Slack name and channels, and its sealed Linear webhook settings.
ALTER TABLE "Environment" ADD COLUMN "slack" JSONB;
ALTER TABLE "Environment" ADD COLUMN "linear" JSONB;

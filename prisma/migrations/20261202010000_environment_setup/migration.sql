-- Environments that install real projects: setup and maintenance scripts, plain env, sealed secrets,
-- network policy, Node version and extra cache-key files; the setup cache index; the setup report.
ALTER TYPE "TaskMode" ADD VALUE 'setup';

ALTER TABLE "Environment"
  ADD COLUMN "nodeVersion" TEXT NOT NULL DEFAULT '20',
  ADD COLUMN "setupScript" TEXT,
  ADD COLUMN "maintenanceScript" TEXT,
  ADD COLUMN "envVars" JSONB,
  ADD COLUMN "secrets" JSONB,
  ADD COLUMN "network" JSONB,
  ADD COLUMN "cacheKeyFiles" JSONB;

ALTER TABLE "Attempt" ADD COLUMN "setup" JSONB;

CREATE TABLE "SetupCache" (
  "id" TEXT NOT NULL,
  "environmentId" TEXT NOT NULL,
  "key" TEXT NOT NULL,
  "host" TEXT NOT NULL,
  "parts" JSONB NOT NULL,
  "volumes" JSONB NOT NULL,
  "sizeBytes" BIGINT NOT NULL DEFAULT 0,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "lastUsedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "SetupCache_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "SetupCache_environmentId_host_key_key" ON "SetupCache"("environmentId", "host", "key");
CREATE INDEX "SetupCache_host_lastUsedAt_idx" ON "SetupCache"("host", "lastUsedAt");
ALTER TABLE "SetupCache" ADD CONSTRAINT "SetupCache_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

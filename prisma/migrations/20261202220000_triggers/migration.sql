-- Forge webhooks and the trigger inbox: each environment's webhook settings, and one row per delivery.
ALTER TABLE "Environment" ADD COLUMN "webhook" JSONB;

CREATE TABLE "Trigger" (
    "id" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "actor" TEXT,
    "url" TEXT,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "steps" JSONB NOT NULL,
    "taskId" TEXT,
    "replies" JSONB,
    "work" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Trigger_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Trigger_environmentId_source_deliveryId_key" ON "Trigger"("environmentId", "source", "deliveryId");
CREATE INDEX "Trigger_environmentId_createdAt_idx" ON "Trigger"("environmentId", "createdAt");
CREATE INDEX "Trigger_taskId_idx" ON "Trigger"("taskId");

ALTER TABLE "Trigger" ADD CONSTRAINT "Trigger_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Trigger" ADD CONSTRAINT "Trigger_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE SET NULL ON UPDATE CASCADE;

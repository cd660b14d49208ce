-- Artifacts past the storage budget lose their bytes, oldest first; the row records when.
ALTER TABLE "Artifact" ADD COLUMN "prunedAt" TIMESTAMP(3);
CREATE INDEX "Artifact_createdAt_idx" ON "Artifact"("createdAt");

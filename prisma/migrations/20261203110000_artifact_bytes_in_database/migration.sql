-- Artifact bytes move from the worker's disk into PostgreSQL (lib/artifacts/artifact-store.ts), so the web
-- app and workers on other machines read the same store. Files written by earlier versions are moved in
-- by `patchbay setup` (lib/artifacts/move-disk-artifacts.ts), which npm start runs after this migration.
CREATE TABLE "ArtifactBlob" (
    "key" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ArtifactBlob_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "ArtifactBlob_createdAt_idx" ON "ArtifactBlob"("createdAt");

CREATE TABLE "ArtifactChunk" (
    "key" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,

    CONSTRAINT "ArtifactChunk_pkey" PRIMARY KEY ("key","seq")
);

ALTER TABLE "ArtifactChunk" ADD CONSTRAINT "ArtifactChunk_key_fkey" FOREIGN KEY ("key") REFERENCES "ArtifactBlob"("key") ON DELETE CASCADE ON UPDATE CASCADE;

-- Bytes of a chunk are already compressed images: PostgreSQL's own compression would only cost time.
ALTER TABLE "ArtifactChunk" ALTER COLUMN "bytes" SET STORAGE EXTERNAL;

-- A blob is written before the Artifact row that names it, so no foreign key can tie them; this trigger
-- removes the bytes whenever the row goes, including when a task, turn or attempt is deleted.
CREATE FUNCTION "patchbay_delete_artifact_blob"() RETURNS trigger AS $$
BEGIN
  DELETE FROM "ArtifactBlob" WHERE "key" = OLD."storageKey";
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Artifact_delete_blob" AFTER DELETE ON "Artifact"
  FOR EACH ROW EXECUTE FUNCTION "patchbay_delete_artifact_blob"();

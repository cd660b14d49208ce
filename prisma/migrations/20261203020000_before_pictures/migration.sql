-- "Before" screenshots reused by later attempts on the same commit (lib/artifacts/before-pictures.ts).
CREATE TABLE "BeforePicture" (
    "key" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "commit" TEXT NOT NULL,
    "artifactId" TEXT NOT NULL,
    "status" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BeforePicture_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "BeforePicture_artifactId_idx" ON "BeforePicture"("artifactId");

ALTER TABLE "BeforePicture" ADD CONSTRAINT "BeforePicture_artifactId_fkey" FOREIGN KEY ("artifactId") REFERENCES "Artifact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

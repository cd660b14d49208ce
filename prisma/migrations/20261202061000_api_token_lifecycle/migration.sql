-- API tokens get a recognisable tail, an optional expiry and revocation. Existing tokens keep working:
-- they have no expiry (their scripts were written without one) and show no tail.
ALTER TABLE "ApiToken" ADD COLUMN "lastFour" TEXT;
ALTER TABLE "ApiToken" ADD COLUMN "expiresAt" TIMESTAMP(3);
ALTER TABLE "ApiToken" ADD COLUMN "revokedAt" TIMESTAMP(3);

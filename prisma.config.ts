import { defineConfig } from "prisma/config";

// prisma.config.ts does not load .env by itself; the CLI only needs the URL for migrate/studio.
try {
  process.loadEnvFile(".env");
} catch {
  // no .env: rely on the process environment
}

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://patchbay:patchbay@localhost:5432/patchbay" },
});

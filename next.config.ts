import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // pino and pg load optional modules at runtime; bundling them breaks that.
  serverExternalPackages: ["pino", "pg", "@prisma/adapter-pg", "ioredis", "bullmq"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;

import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // pino and pg load optional modules at runtime; bundling them breaks that.
  serverExternalPackages: ["pino", "pg", "@prisma/adapter-pg", "ioredis", "bullmq"],
  poweredByHeader: false,
  typedRoutes: false,
  // Pages get their Content Security Policy (with a nonce) from proxy.ts; these hold for every answer.
  async headers() {
    const everywhere = [
      { key: "X-Content-Type-Options", value: "nosniff" },
      { key: "X-Frame-Options", value: "DENY" },
      { key: "Referrer-Policy", value: "same-origin" },
    ];
    return [
      { source: "/:path*", headers: everywhere },
      // API answers are data: nothing in them may run or be framed, even if a browser renders one.
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'; sandbox" }] },
    ];
  },
};

export default nextConfig;

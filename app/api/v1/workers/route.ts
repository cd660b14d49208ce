import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { listWorkers } from "@/lib/workers/worker-status";

// Admins only (checked by listWorkers): which workers exist, on which hosts, how busy, which stopped reporting.
export const GET = apiRoute(async ({ user }) => NextResponse.json({ workers: await listWorkers(user.id) }));

// Closes the shared connections a process opened through lib/ (the queue producer and the database), for
// a clean shutdown of the worker or a script.
import { disconnectDb } from "@/lib/db";
import { closeProducer } from "@/lib/queue/producer";

export async function closeSharedConnections(): Promise<void> {
  await closeProducer();
  await disconnectDb();
}

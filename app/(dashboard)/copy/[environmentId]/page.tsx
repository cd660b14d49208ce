import Link from "next/link";
import { notFound } from "next/navigation";
import { isPlausibleId } from "@/lib/http/plausible-id";
import { getCopyEnvironment } from "@/lib/copy/copy-environments";
import { isAppError } from "@/lib/errors";
import { requireUser } from "@/lib/http/require-user";
import { CopyEditor } from "./copy-editor";

export default async function CopyEnvironmentPage({ params }: { params: Promise<{ environmentId: string }> }) {
  const { environmentId } = await params;
  if (!isPlausibleId(environmentId)) notFound();
  const user = await requireUser();
  const environment = await getCopyEnvironment(user.id, environmentId).catch((error: unknown) => {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  });
  return (
    <>
      <p className="muted">
        <Link href="/copy">← Copy</Link>
      </p>
      <h1>Texts on {environment.name}</h1>
      <p className="muted">
        Find the words you want to change, type the new wording, and press <strong>Propose change</strong>. You will get the change with before/after pictures
        to review; an engineer ships it.
      </p>
      <CopyEditor environmentId={environment.id} />
    </>
  );
}

import Link from "next/link";

export default function NotFound() {
  return (
    <main>
      <h1>Not found</h1>
      <p>
        This page does not exist, or it belongs to someone else. <Link href="/">Back to tasks</Link>
      </p>
    </main>
  );
}

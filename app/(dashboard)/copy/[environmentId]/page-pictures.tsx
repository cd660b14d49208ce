"use client";

import Link from "next/link";
import { useState } from "react";
import { ArtifactImage } from "@/components/artifact-image";
import type { CatalogEntry } from "@/lib/copy/catalog-entry";
import type { PageBox } from "@/lib/copy/page-map";
import type { PicturesView } from "@/lib/copy/page-pictures";

/**
 * Pictures of the app's pages with every text found on them outlined; clicking an outline picks that
 * text for editing. The pictures are taken by the worker (a "Page pictures" task), so nothing here
 * connects to the app itself.
 */
export function PagePictures({
  pictures,
  catalogCommit,
  byId,
  onPick,
  onTake,
  taking,
}: {
  pictures: PicturesView;
  catalogCommit: string | null;
  byId: Map<string, CatalogEntry>;
  onPick: (entryIds: string[]) => void;
  onTake: () => void;
  taking: boolean;
}) {
  const [route, setRoute] = useState<string | null>(null);
  const shown = pictures.pictures.find((picture) => picture.route === route) ?? pictures.pictures[0];
  const busy = taking || pictures.status === "taking";
  return (
    <div className="panel" data-testid="page-pictures">
      <div className="copy-toolbar">
        {pictures.pictures.length > 0 && (
          <div>
            <label htmlFor="picture-route">Picture of</label>
            <select id="picture-route" value={shown?.route ?? ""} onChange={(event) => setRoute(event.target.value)}>
              {pictures.pictures.map((picture) => (
                <option key={picture.route} value={picture.route}>
                  {picture.route}
                </option>
              ))}
            </select>
          </div>
        )}
        <button type="button" className="secondary" onClick={onTake} disabled={busy}>
          {busy ? "Taking pictures…" : pictures.pictures.length ? "Take new pictures" : "Take pictures of the pages"}
        </button>
      </div>
      <p className="muted" data-testid="pictures-status">
        {statusLine(pictures, catalogCommit)}
        {pictures.taskId && (
          <>
            {" "}
            <Link href={`/tasks/${pictures.taskId}`}>Details</Link>
          </>
        )}
      </p>
      {pictures.status === "failed" && (
        <div className="error" role="alert">
          {pictures.message}
        </div>
      )}
      {pictures.failures.length > 0 && (
        <ul className="muted">
          {pictures.failures.map((failure) => (
            <li key={failure.route}>
              {failure.route}: {failure.message}
            </li>
          ))}
        </ul>
      )}
      {shown && (
        // The outer box scrolls a tall page; the inner one is exactly the picture, so the outlines'
        // percentages are of the picture's size and not of the visible part.
        <div className="page-picture-frame">
          <div className="page-picture" data-testid="page-picture">
            <ArtifactImage key={shown.url} src={shown.url} alt={`The ${shown.route} page`} width={shown.width} height={shown.height} />
            {shown.boxes.map((box, index) => (
              <PictureBox
                key={`${index}-${box.x}-${box.y}`}
                box={box}
                picture={shown}
                label={byId.get(box.entryIds[0] ?? "")?.text ?? box.text}
                onPick={onPick}
              />
            ))}
          </div>
        </div>
      )}
    </div>
  );
}

function PictureBox({
  box,
  picture,
  label,
  onPick,
}: {
  box: PageBox;
  picture: { width: number; height: number };
  label: string;
  onPick: (ids: string[]) => void;
}) {
  // Percentages keep the outline on its text whatever width the picture is shown at.
  const style = {
    left: `${(box.x / picture.width) * 100}%`,
    top: `${(box.y / picture.height) * 100}%`,
    width: `${(box.width / picture.width) * 100}%`,
    height: `${(box.height / picture.height) * 100}%`,
  };
  return <button type="button" className="page-box" style={style} aria-label={`Edit “${label}”`} title={label} onClick={() => onPick(box.entryIds)} />;
}

function statusLine(pictures: PicturesView, catalogCommit: string | null): string {
  if (pictures.status === "taking") return "Starting the app and taking pictures of its pages; this takes a minute or two.";
  if (!pictures.commit) return "See the texts where they are: take pictures of the app's pages, then click a text on a picture to change it.";
  const when = pictures.takenAt ? new Date(pictures.takenAt).toLocaleString() : "";
  const older = catalogCommit && pictures.commit !== catalogCommit ? " The texts have changed since; take new pictures to see them." : "";
  return `Pictures of commit ${pictures.commit.slice(0, 12)}, taken ${when}. Click a text to change it.${older}`;
}

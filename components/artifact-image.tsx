"use client";

import { type ImgHTMLAttributes, useEffect, useRef, useState } from "react";

const RETRIES = 3;

/**
 * A stored picture (an artifact URL) that loads again when its first request fails. Browsers abort image
 * requests when the machine's network changes (a VPN, Wi-Fi, or Docker adding a bridge next to the
 * browser), and a plain <img> then stays broken until the page is reloaded. A load that failed before
 * React hydrated is caught on mount.
 */
export function ArtifactImage({ src, alt, ...rest }: Omit<ImgHTMLAttributes<HTMLImageElement>, "src" | "onError"> & { src: string; alt: string }) {
  const [attempt, setAttempt] = useState(0);
  const image = useRef<HTMLImageElement>(null);
  const retry = () => {
    if (attempt >= RETRIES) return;
    setTimeout(() => setAttempt((value) => value + 1), 500 * (attempt + 1));
  };
  useEffect(() => {
    // Only on mount: later failures arrive through onError.
    const element = image.current;
    if (element?.complete && element.naturalWidth === 0) setAttempt(1);
  }, []);
  const url = attempt === 0 ? src : `${src}${src.includes("?") ? "&" : "?"}retry=${attempt}`;
  return <img ref={image} src={url} alt={alt} onError={retry} {...rest} />;
}

// Before/after screenshot comparison: pixel counts plus a diff overlay a reviewer can read at a glance.
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";

export type CompareOptions = {
  /** pixelmatch's per-pixel colour distance (0–1); smaller is more sensitive. */
  threshold?: number;
};

export type CompareResult = {
  /** Size of the compared canvas: the larger of the two images in each dimension. */
  width: number;
  height: number;
  changedPixels: number;
  totalPixels: number;
  changedRatio: number;
  /** True when the two images differ in size; every pixel outside their common area counts as changed. */
  sizeChanged: boolean;
  diffPng: Buffer;
};

const DEFAULT_THRESHOLD = 0.1;
/** How strongly the unchanged part of the "after" image shows through the overlay. */
const BACKDROP_ALPHA = 0.2;
const DIFF_COLOR: [number, number, number] = [255, 0, 0];

export function compareImages(before: Buffer, after: Buffer, options: CompareOptions = {}): CompareResult {
  const a = PNG.sync.read(before);
  const b = PNG.sync.read(after);
  const width = Math.max(a.width, b.width);
  const height = Math.max(a.height, b.height);
  const common = { width: Math.min(a.width, b.width), height: Math.min(a.height, b.height) };
  const sizeChanged = a.width !== b.width || a.height !== b.height;
  const totalPixels = width * height;

  const beforeData = padTo(a, width, height);
  const afterData = padTo(b, width, height);
  const outsideCommon = sizeChanged ? outsideMask(width, height, common) : undefined;
  const diff = new PNG({ width, height });

  // "after" goes first because pixelmatch draws its faint backdrop from the first image.
  const matched = pixelmatch(afterData, beforeData, diff.data, width, height, {
    threshold: options.threshold ?? DEFAULT_THRESHOLD,
    includeAA: false,
    alpha: BACKDROP_ALPHA,
    diffColor: DIFF_COLOR,
    ignoreMask: outsideCommon,
  });

  let padded = 0;
  if (outsideCommon) {
    // pixelmatch skips masked pixels, so the area only one image covers is painted and counted here.
    for (let i = 0; i < outsideCommon.length; i++) {
      if (!outsideCommon[i]) continue;
      diff.data.set([...DIFF_COLOR, 255], i * 4);
      padded++;
    }
  }

  const changedPixels = matched + padded;
  return {
    width,
    height,
    changedPixels,
    totalPixels,
    changedRatio: totalPixels === 0 ? 0 : changedPixels / totalPixels,
    sizeChanged,
    diffPng: PNG.sync.write(diff),
  };
}

/** RGBA data of `image` on a transparent width×height canvas (the image itself when no padding is needed). */
function padTo(image: PNG, width: number, height: number): Uint8Array {
  if (image.width === width && image.height === height) return image.data;
  const out = new Uint8Array(width * height * 4);
  const rowBytes = image.width * 4;
  for (let y = 0; y < image.height; y++) {
    out.set(image.data.subarray(y * rowBytes, (y + 1) * rowBytes), y * width * 4);
  }
  return out;
}

/** One byte per pixel: 1 outside the area both images cover, 0 inside it. */
function outsideMask(width: number, height: number, common: { width: number; height: number }): Uint8Array {
  const mask = new Uint8Array(width * height).fill(1);
  for (let y = 0; y < common.height; y++) mask.fill(0, y * width, y * width + common.width);
  return mask;
}

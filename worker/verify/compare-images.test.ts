import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { compareImages } from "./compare-images";

type Rect = { x: number; y: number; width: number; height: number; rgb: [number, number, number] };

/** A white, opaque width×height PNG with optional solid rectangles painted on it. */
function makePng(width: number, height: number, rects: Rect[] = []): Buffer {
  const png = new PNG({ width, height });
  png.data.fill(255);
  for (const rect of rects) {
    for (let y = rect.y; y < rect.y + rect.height; y++) {
      for (let x = rect.x; x < rect.x + rect.width; x++) png.data.set([...rect.rgb, 255], (y * width + x) * 4);
    }
  }
  return PNG.sync.write(png);
}

function pixelAt(png: PNG, x: number, y: number): number[] {
  const i = (y * png.width + x) * 4;
  return [...png.data.subarray(i, i + 4)];
}

describe("compareImages", () => {
  it("reports no change for identical images", () => {
    const image = makePng(64, 48, [{ x: 5, y: 5, width: 10, height: 10, rgb: [20, 40, 200] }]);
    const result = compareImages(image, Buffer.from(image));
    expect(result).toMatchObject({ width: 64, height: 48, changedPixels: 0, totalPixels: 64 * 48, changedRatio: 0, sizeChanged: false });
  });

  it("counts a changed rectangle as its area", () => {
    const before = makePng(100, 80);
    const after = makePng(100, 80, [{ x: 10, y: 20, width: 30, height: 15, rgb: [0, 0, 0] }]);
    const result = compareImages(before, after);
    // Anti-aliasing detection may forgive a few edge pixels, never more than the rectangle's outline.
    expect(result.changedPixels).toBeLessThanOrEqual(30 * 15);
    expect(result.changedPixels).toBeGreaterThanOrEqual(30 * 15 - 2 * (30 + 15));
    expect(result.changedRatio).toBeCloseTo(result.changedPixels / (100 * 80), 10);
    expect(result.sizeChanged).toBe(false);

    const diff = PNG.sync.read(result.diffPng);
    expect(pixelAt(diff, 25, 27)).toEqual([255, 0, 0, 255]);
    // Unchanged area: a faint (near-white) backdrop, not the diff colour.
    const [r, g, b] = pixelAt(diff, 80, 70);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeGreaterThan(200);
    expect(b).toBeGreaterThan(200);
  });

  it("ignores changes below the threshold and catches them with a stricter one", () => {
    const before = makePng(40, 40, [{ x: 0, y: 0, width: 40, height: 40, rgb: [200, 200, 200] }]);
    const after = makePng(40, 40, [{ x: 0, y: 0, width: 40, height: 40, rgb: [203, 203, 203] }]);
    expect(compareImages(before, after).changedPixels).toBe(0);
    expect(compareImages(before, after, { threshold: 0 }).changedPixels).toBe(40 * 40);
  });

  it("pads images of different sizes and counts the padding as changed", () => {
    const before = makePng(100, 50);
    const after = makePng(60, 80);
    const result = compareImages(before, after);
    expect(result).toMatchObject({ width: 100, height: 80, totalPixels: 8000, sizeChanged: true });
    // Everything outside the common 60×50 area is changed; the common area is identical.
    expect(result.changedPixels).toBe(8000 - 60 * 50);
    expect(result.changedRatio).toBeCloseTo((8000 - 3000) / 8000, 10);
  });

  it("writes the diff as a valid PNG of the padded size", () => {
    const result = compareImages(makePng(30, 20), makePng(20, 40, [{ x: 0, y: 0, width: 5, height: 5, rgb: [0, 128, 0] }]));
    expect(result.diffPng.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const diff = PNG.sync.read(result.diffPng);
    expect({ width: diff.width, height: diff.height }).toEqual({ width: 30, height: 40 });
    expect(pixelAt(diff, 25, 30)).toEqual([255, 0, 0, 255]); // padding only, painted as changed
    expect(pixelAt(diff, 2, 2)).toEqual([255, 0, 0, 255]); // the green square
  });

  it("rejects input that is not a PNG", () => {
    expect(() => compareImages(Buffer.from("not a png"), makePng(2, 2))).toThrow();
  });
});

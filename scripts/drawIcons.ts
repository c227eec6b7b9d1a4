/**
 * Draws the Teams app icons (`manifest/color.png`, `manifest/outline.png`): a compass, the pilot's instrument
 * ("Lotse"). Run with `npm run icons`; the output is committed, so packaging needs no drawing tools.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng, type RgbaImage } from './lib/png';
import { projectRoot } from '../services/paths';

type Rgb = readonly [number, number, number];
/** A shape: how much of the unit square it covers at (x, y), both 0..1. */
type Shape = (x: number, y: number) => boolean;

const BLUE: Rgb = [0x00, 0x5a, 0x78];
const WHITE: Rgb = [0xff, 0xff, 0xff];
const AMBER: Rgb = [0xf2, 0xa9, 0x00];

const ring = (inner: number, outer: number): Shape => (x, y) => {
  const d = Math.hypot(x - 0.5, y - 0.5);
  return d >= inner && d <= outer;
};

/** Half of the compass needle (a kite split along its axis), turned by `angle` radians from north. */
const needleHalf = (angle: number, north: boolean): Shape => (x, y) => {
  const dx = x - 0.5, dy = y - 0.5;
  const u = dx * Math.cos(angle) + dy * Math.sin(angle);
  const v = -dx * Math.sin(angle) + dy * Math.cos(angle);
  const along = north ? -v : v;
  if (along < 0) return false;
  return Math.abs(u) <= 0.085 * (1 - along / 0.27);
};

const roundedSquare = (radius: number): Shape => (x, y) => {
  const cx = Math.min(Math.max(x, radius), 1 - radius);
  const cy = Math.min(Math.max(y, radius), 1 - radius);
  return Math.hypot(x - cx, y - cy) <= radius;
};

/** Renders layers (shape + colour, later on top) with 4×4 supersampling for smooth edges. */
function render(size: number, layers: Array<[Shape, Rgb]>): RgbaImage {
  const data = new Uint8Array(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / size;
          const y = (py + (sy + 0.5) / n) / size;
          let hit: Rgb | undefined;
          for (const [shape, colour] of layers) if (shape(x, y)) hit = colour;
          if (hit) {
            r += hit[0];
            g += hit[1];
            b += hit[2];
            a += 1;
          }
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        data[i] = Math.round(r / a);
        data[i + 1] = Math.round(g / a);
        data[i + 2] = Math.round(b / a);
      }
      data[i + 3] = Math.round((255 * a) / (n * n));
    }
  }
  return { width: size, height: size, data };
}

const TILT = Math.PI / 4;

/** The 192×192 colour icon: white compass with an amber north needle on the project blue. */
export function colorIcon(): RgbaImage {
  return render(192, [
    [roundedSquare(0.2), BLUE],
    [ring(0.3, 0.36), WHITE],
    [needleHalf(TILT, true), AMBER],
    [needleHalf(TILT, false), WHITE],
  ]);
}

/** The 32×32 outline icon: the same compass in white on transparent (Teams tints it). */
export function outlineIcon(): RgbaImage {
  return render(32, [
    [ring(0.36, 0.46), WHITE],
    [needleHalf(TILT, true), WHITE],
    [needleHalf(TILT, false), WHITE],
  ]);
}

if (require.main === module) {
  const dir = join(projectRoot, 'manifest');
  writeFileSync(join(dir, 'color.png'), encodePng(colorIcon()));
  writeFileSync(join(dir, 'outline.png'), encodePng(outlineIcon()));
  process.stdout.write(`wrote ${join(dir, 'color.png')} and ${join(dir, 'outline.png')}\n`);
}

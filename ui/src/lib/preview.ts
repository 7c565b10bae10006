// The preview loop: one request in flight, newest frame wins; decode with createImageBitmap.
import type { Backend } from "./backend/tauri";

export type DecodedFrame = { seq: number; width: number; height: number; image: ImageBitmap };

export function startPreview(backend: Backend, onFrame: (f: DecodedFrame) => void, onIdle?: () => void): () => void {
  let stopped = false;
  let lastSeq = 0;
  const controller = new AbortController();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  (async () => {
    let failures = 0;
    while (!stopped) {
      try {
        const asked = Date.now();
        const frame = await backend.preview(lastSeq, controller.signal);
        if (stopped) break;
        failures = 0;
        if (!frame) {
          onIdle?.();
          // "Nothing new" normally comes after a second's wait; at once means no station (a
          // settings restart) or no camera: do not spin.
          if (Date.now() - asked < 100) await sleep(200);
          continue;
        }
        lastSeq = frame.seq;
        if (typeof createImageBitmap !== "function") continue;
        const image = await createImageBitmap(frame.blob);
        if (stopped) {
          image.close();
          break;
        }
        onFrame({ seq: frame.seq, width: frame.width, height: frame.height, image });
      } catch {
        if (stopped) break;
        failures++;
        onIdle?.();
        await sleep(Math.min(2000, 200 * failures));
      }
    }
  })();
  return () => {
    stopped = true;
    controller.abort();
  };
}

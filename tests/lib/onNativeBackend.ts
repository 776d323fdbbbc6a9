/** Shared by the specs of lib/accel/native/ and the native backend: they need tfjs-node (`npm run setup:native`). */
import { backendInfo, initBackend, type BackendChoice } from "../../lib/accel/backend";

export function nativeInstalled(): boolean {
  try {
    require.resolve("@tensorflow/tfjs-node/package.json");
    return true;
  } catch {
    return false;
  }
}

/** Skips the enclosing block, saying why, when tfjs-node is not installed. */
export function skipWithoutNative(context: Mocha.Context): void {
  if (nativeInstalled()) return;
  console.log("      skipped: @tensorflow/tfjs-node is not installed (run `npm run setup:native` to build it)");
  context.skip();
}

/** Call inside a describe (before its own hooks): the backend in use when it starts comes back after it, whatever its tests switch to. */
export function keepBackend(): void {
  let previous: BackendChoice | undefined;
  before(() => {
    previous = backendInfo()?.choice;
  });
  after(async () => {
    if (previous) await initBackend({ quiet: true, force: previous });
  });
}

/** Call inside a describe: its tests run on the native backend, and the previous backend comes back after. */
export function onNativeBackend(): void {
  keepBackend();
  before(async function () {
    skipWithoutNative(this);
    await initBackend({ quiet: true, force: "node" });
  });
}

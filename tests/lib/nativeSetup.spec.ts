/** lib/accel/native/nativeSetup.ts: the settings TensorFlow gets before tfjs-node loads (no tfjs-node needed). */
import { strict as assert } from "assert";
import { configureTensorFlow, defaultIntraOpThreads } from "../../lib/accel/native/nativeSetup";

describe("native setup (lib/accel/native/nativeSetup.ts)", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ["TF_NUM_INTRAOP_THREADS", "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS"]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it("gives TensorFlow one intra-op thread on 2 cores or fewer, and its own default above", () => {
    assert.equal(defaultIntraOpThreads(1), 1);
    assert.equal(defaultIntraOpThreads(2), 1);
    assert.equal(defaultIntraOpThreads(4), null);
  });

  it("never overrides a TF_NUM_INTRAOP_THREADS, TF_CPP_MIN_LOG_LEVEL or TF_ENABLE_ONEDNN_OPTS the user set", () => {
    process.env.TF_NUM_INTRAOP_THREADS = "2";
    process.env.TF_CPP_MIN_LOG_LEVEL = "0";
    process.env.TF_ENABLE_ONEDNN_OPTS = "0";
    configureTensorFlow();
    assert.equal(process.env.TF_NUM_INTRAOP_THREADS, "2");
    assert.equal(process.env.TF_CPP_MIN_LOG_LEVEL, "0");
    assert.equal(process.env.TF_ENABLE_ONEDNN_OPTS, "0");
  });

  it("sets the defaults where nothing was chosen (oneDNN on)", () => {
    delete process.env.TF_NUM_INTRAOP_THREADS;
    delete process.env.TF_CPP_MIN_LOG_LEVEL;
    delete process.env.TF_ENABLE_ONEDNN_OPTS;
    configureTensorFlow();
    assert.equal(process.env.TF_CPP_MIN_LOG_LEVEL, "2");
    assert.equal(process.env.TF_ENABLE_ONEDNN_OPTS, "1");
    const expected = defaultIntraOpThreads();
    assert.equal(process.env.TF_NUM_INTRAOP_THREADS, expected == null ? undefined : String(expected));
  });
});

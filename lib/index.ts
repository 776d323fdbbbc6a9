/** The course library: everything a notebook, exercise or test imports, re-exported. */
export * from "./backend";
export * from "./seed";
export * from "./data/files";
export * from "./data/idx";
export * from "./data/mnist";
export * from "./data/batches";
export * from "./data/text";
export * from "./data/sentiment";
export * from "./data/sentencePairs";
export * from "./viz/display";
export * from "./viz/png";
export * from "./viz/images";
export * from "./viz/plot";
export * from "./viz/table";
export * from "./train/progress";
export * from "./train/loop";
export * from "./metrics/report";

/** Runs `fn` with console.log captured and COURSE_TRAIN_SCALE set to `scale` (undefined: unset); returns the lines. */
export function captureLog(scale: string | undefined, fn: () => void): string[] {
  const lines: string[] = [];
  const log = console.log;
  const saved = process.env.COURSE_TRAIN_SCALE;
  if (scale == null) delete process.env.COURSE_TRAIN_SCALE;
  else process.env.COURSE_TRAIN_SCALE = scale;
  console.log = (s: string) => lines.push(s);
  try {
    fn();
  } finally {
    console.log = log;
    if (saved == null) delete process.env.COURSE_TRAIN_SCALE;
    else process.env.COURSE_TRAIN_SCALE = saved;
  }
  return lines;
}

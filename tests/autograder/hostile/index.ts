/** The hostile submissions the proof grades (one per threat of the issues, plus broken work). */
import { blameTheGrader } from "./blame-the-grader";
import { broken } from "./broken";
import { controlCharacters } from "./control-characters";
import { crashBySize } from "./crash-by-size";
import { exitEarly } from "./exit-early";
import { fakeOutput } from "./fake-output";
import { fakeTensor } from "./fake-tensor";
import { killOthers } from "./kill-others";
import { leakHidden } from "./leak-hidden";
import { neighbourBlame } from "./neighbour-blame";
import { network } from "./network";
import { readSecrets } from "./read-secrets";
import { replaceFramework } from "./replace-framework";
import { resources } from "./resources";
import { stall } from "./stall";
import type { HostileSubmission } from "./types";
import { writeResults } from "./write-results";

export const HOSTILE: HostileSubmission[] = [
  writeResults,
  fakeOutput,
  replaceFramework,
  exitEarly,
  readSecrets,
  network,
  killOthers,
  resources,
  broken,
  neighbourBlame,
  crashBySize,
  stall,
  leakHidden,
  fakeTensor,
  blameTheGrader,
  controlCharacters,
];

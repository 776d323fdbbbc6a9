/** The hostile submissions the proof grades (one per threat of the issue, plus broken work). */
import { broken } from "./broken";
import { exitEarly } from "./exit-early";
import { fakeOutput } from "./fake-output";
import { killOthers } from "./kill-others";
import { network } from "./network";
import { readSecrets } from "./read-secrets";
import { replaceFramework } from "./replace-framework";
import { resources } from "./resources";
import type { HostileSubmission } from "./types";
import { writeResults } from "./write-results";

export const HOSTILE: HostileSubmission[] = [writeResults, fakeOutput, replaceFramework, exitEarly, readSecrets, network, killOthers, resources, broken];

import { wrongAutoencoders } from "./autoencoders";
import { wrongGans } from "./gans";
import { wrongTransformers } from "./transformers";
import type { WrongSolution } from "./types";

export const WRONG: WrongSolution[] = [...wrongAutoencoders, ...wrongTransformers, ...wrongGans];

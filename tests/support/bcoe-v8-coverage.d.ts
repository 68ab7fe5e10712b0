// @bcoe/v8-coverage ships no types: the part tests/support/server-coverage.ts uses (V8's
// Profiler.takePreciseCoverage shape, as Node writes it to NODE_V8_COVERAGE).
declare module "@bcoe/v8-coverage" {
  export interface RangeCov {
    startOffset: number;
    endOffset: number;
    count: number;
  }
  export interface FunctionCov {
    functionName: string;
    ranges: RangeCov[];
    isBlockCoverage: boolean;
  }
  export interface ScriptCov {
    scriptId: string;
    url: string;
    functions: FunctionCov[];
  }
  export interface ProcessCov {
    result: ScriptCov[];
  }
  export function mergeProcessCovs(processCovs: readonly ProcessCov[]): ProcessCov;
}
